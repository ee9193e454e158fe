package models

import (
	"strings"

	"golang.org/x/text/language"
)

// CountryCode validates an optional ISO 3166-1 alpha-2 country code.
func CountryCode(field, value string, p Problems) string {
	v := strings.ToUpper(strings.TrimSpace(value))
	if v == "" {
		return ""
	}
	r, err := language.ParseRegion(v)
	if len(v) != 2 || err != nil || !r.IsCountry() || r.Canonicalize().String() != v {
		p.Add(field, "must be an ISO 3166-1 alpha-2 country code such as MA")
		return ""
	}
	return v
}
