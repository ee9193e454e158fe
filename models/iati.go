package models

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
)

// IATI 2.03 (https://iatistandard.org/en/iati-standard/203/): what a fund and
// its donors carry so that the fund can publish its books as an activity.

// IATIOrganisationTypes is the IATI OrganisationType codelist.
var IATIOrganisationTypes = []string{"10", "11", "15", "21", "22", "23", "24", "30", "40", "60", "70", "71", "72", "73", "80", "90"}

// An organisation identifier is "<registration agency>-<number>" (XM-DAC-47066,
// GB-CHC-202918); an activity identifier is the reporting organisation's
// identifier, a hyphen and the activity's own code (XM-DAC-47066-RF). IATI
// forbids spaces and the characters / & | ? in both.
var (
	iatiOrgRef     = regexp.MustCompile(`^[A-Za-z0-9]+(-[A-Za-z0-9._:]+)+$`)
	iatiActivityID = regexp.MustCompile(`^[A-Za-z0-9]+(-[A-Za-z0-9._:]+)+$`)
)

// IATIOrg is an organisation as IATI names it: an identifier, an
// OrganisationType code and a name.
type IATIOrg struct {
	Ref  string `json:"ref"`
	Type string `json:"type"`
	Name string `json:"name"`
}

// IATIOrgInput is the iati_reporting_org of a fund's body: an object, or null
// to remove it.
type IATIOrgInput struct {
	Set, Null, Wrong bool
	Ref, Type, Name  *string
}

type iatiOrgFields struct {
	Ref  *string `json:"ref"`
	Type *string `json:"type"`
	Name *string `json:"name"`
}

// UnmarshalJSON accepts an object with ref, type and name (strings) or null.
func (o *IATIOrgInput) UnmarshalJSON(b []byte) error {
	*o = IATIOrgInput{Set: true}
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		return nil
	}
	var f iatiOrgFields
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		o.Wrong = true
		return nil
	}
	o.Ref, o.Type, o.Name = f.Ref, f.Type, f.Name
	return nil
}

// MarshalJSON writes the input back (used for request fingerprints).
func (o IATIOrgInput) MarshalJSON() ([]byte, error) {
	if !o.Set || o.Null || o.Wrong {
		return []byte("null"), nil
	}
	return json.Marshal(iatiOrgFields{o.Ref, o.Type, o.Name})
}

// apply validates the input into org (nil when removed).
func (o IATIOrgInput) apply(org **IATIOrg, p Problems) {
	const field = "iati_reporting_org"
	switch {
	case !o.Set:
		return
	case o.Wrong:
		p.Add(field, `must be an object {"ref": "...", "type": "...", "name": "..."} or null`)
		return
	case o.Null:
		*org = nil
		return
	}
	v := IATIOrg{}
	if *org != nil {
		v = **org
	}
	if o.Ref != nil {
		v.Ref = strings.TrimSpace(*o.Ref)
	}
	if o.Type != nil {
		v.Type = strings.TrimSpace(*o.Type)
	}
	if o.Name != nil {
		v.Name = Text(field+".name", *o.Name, false, 200, false, p)
	}
	if v.Ref == "" {
		p.Add(field+".ref", "is required: the organisation identifier, e.g. XM-DAC-47066")
	} else if len(v.Ref) > 100 || !iatiOrgRef.MatchString(v.Ref) {
		p.Add(field+".ref", "must be an IATI organisation identifier such as XM-DAC-47066 (agency prefix, hyphen, number; no spaces or / & | ?)")
	}
	if v.Type == "" {
		p.Add(field+".type", "is required: an IATI OrganisationType code such as 40")
	} else if !contains(IATIOrganisationTypes, v.Type) {
		p.Add(field+".type", "must be an IATI OrganisationType code: one of "+strings.Join(IATIOrganisationTypes, ", "))
	}
	*org = &v
}

// IATIIdentifier validates an optional activity identifier ("" when unset).
func IATIIdentifier(field, value string, p Problems) string {
	v := strings.TrimSpace(value)
	if v != "" && (len(v) > 200 || !iatiActivityID.MatchString(v)) {
		p.Add(field, "must be an IATI activity identifier such as XM-DAC-47066-RF (reporting organisation identifier, hyphen, "+
			"activity code; letters, digits and . _ : - only)")
		return ""
	}
	return v
}

// IATIOrgRef validates an optional organisation identifier ("" when unset).
func IATIOrgRef(field, value string, p Problems) string {
	v := strings.TrimSpace(value)
	if v != "" && (len(v) > 100 || !iatiOrgRef.MatchString(v)) {
		p.Add(field, "must be an IATI organisation identifier such as XM-DAC-47066 (agency prefix, hyphen, number; no spaces or / & | ?)")
		return ""
	}
	return v
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// NullableText is an optional text field of a body where null, like "",
// removes the value (absent leaves it as it is).
type NullableText struct {
	Set, Wrong bool
	Value      string
}

// UnmarshalJSON accepts a string or null; any other type is kept as wrong.
func (t *NullableText) UnmarshalJSON(b []byte) error {
	*t = NullableText{Set: true}
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
	case len(b) > 0 && b[0] == '"':
		return json.Unmarshal(b, &t.Value)
	default:
		t.Wrong = true
	}
	return nil
}

// MarshalJSON writes the text as given (used for request fingerprints).
func (t NullableText) MarshalJSON() ([]byte, error) {
	if !t.Set || t.Wrong {
		return []byte("null"), nil
	}
	return json.Marshal(t.Value)
}

// apply validates the text with check into *v (nil when removed).
func (t NullableText) apply(field string, v **string, check func(field, value string, p Problems) string, p Problems) {
	switch {
	case !t.Set:
	case t.Wrong:
		p.Add(field, "must be a string or null")
	default:
		*v = optional(check(field, t.Value, p))
	}
}

// Nullable answers a set value, for callers that build inputs in Go.
func Nullable(s string) NullableText { return NullableText{Set: true, Value: s} }
