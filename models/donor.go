package models

import "time"

// DonorKinds are the kinds of donor, as OCHA's Financial Tracking Service groups them.
var DonorKinds = []string{"government", "multilateral", "private_sector", "foundation", "ngo", "individual", "other"}

// AnonymousName is how an anonymous donor is named in public answers.
const AnonymousName = "Anonymous donor"

// Donor gives to funds. Anonymous donors are never named in public answers.
type Donor struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Kind         string `json:"kind"`
	CountryCode  string `json:"country_code"`
	Anonymous    bool   `json:"anonymous"`
	ContactEmail string `json:"contact_email"`
	// IATIOrgRef (issue 13) is the donor's IATI organisation identifier; nil when unset.
	IATIOrgRef *string `json:"iati_org_ref"`
	// DisplayNames are the donor's names in other languages (issue 15).
	DisplayNames map[string]string `json:"display_names"`
	// Language is the language the donor is written to in: en, fr or ar (issue 11).
	Language  string    `json:"language"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// MergedInto is the donor this one was merged into (issue 14): its
	// records were moved there; it stays, out of lists and pickers.
	MergedInto  *int64     `json:"merged_into"`
	MergedAt    *time.Time `json:"merged_at"`
	MergedBy    string     `json:"merged_by"`
	MergeReason string     `json:"merge_reason"`
}

// PublicName is the donor's name as the public may see it.
func (d Donor) PublicName() string {
	if d.Anonymous {
		return AnonymousName
	}
	return d.Name
}

// DonorInput is the body of POST /donors and, partially, of PATCH /donors/{id}.
type DonorInput struct {
	Name         *string      `json:"name"`
	Kind         *string      `json:"kind"`
	CountryCode  *string      `json:"country_code"`
	Anonymous    *bool        `json:"anonymous"`
	ContactEmail *string      `json:"contact_email"`
	IATIOrgRef   NullableText `json:"iati_org_ref"`
	// DisplayNames merge per language: null or "" removes a language.
	DisplayNames map[string]*string `json:"display_names"`
	// Language: en (the default), fr or ar (issue 11).
	Language *string `json:"language"`
	// AllowDuplicate, on POST only, records the donor even when one with the
	// same name and country exists (issue 14).
	AllowDuplicate *bool `json:"allow_duplicate"`
}

// Apply validates the input and writes it onto d.
func (in DonorInput) Apply(d *Donor, partial bool) error {
	p := Problems{}
	if partial && in.AllowDuplicate != nil {
		p.Add("allow_duplicate", "is only taken by POST /donors")
	}
	if in.Name != nil || !partial {
		d.Name = Text("name", deref(in.Name), true, 200, false, p)
	}
	if in.Kind != nil || !partial {
		d.Kind = OneOf("kind", deref(in.Kind), "", DonorKinds, p)
	}
	if in.CountryCode != nil {
		d.CountryCode = CountryCode("country_code", *in.CountryCode, p)
	}
	if in.Anonymous != nil {
		d.Anonymous = *in.Anonymous
	}
	if in.ContactEmail != nil {
		d.ContactEmail = Email("contact_email", *in.ContactEmail, false, p)
	}
	in.IATIOrgRef.apply("iati_org_ref", &d.IATIOrgRef, IATIOrgRef, p)
	switch {
	case in.Language != nil: // given: one of the three ("" is not one)
		d.Language = OneOf("language", *in.Language, "", DonorLanguages, p)
	case d.Language == "":
		d.Language = "en"
	}
	if in.DisplayNames != nil || d.DisplayNames == nil {
		d.DisplayNames = applyDisplayNames(d.DisplayNames, in.DisplayNames, p)
	}
	return p.Err()
}

// ExchangeRate is the UN convention: units of Currency per 1 USD, in force
// from EffectiveOn until the next rate of the same currency.
type ExchangeRate struct {
	ID          int64     `json:"id"`
	Currency    string    `json:"currency"`
	EffectiveOn Date      `json:"effective_on"`
	UnitsPerUSD Rate      `json:"units_per_usd"`
	Source      string    `json:"source"`
	CreatedAt   time.Time `json:"created_at"`
	CreatedBy   string    `json:"created_by"`
}

// ExchangeRateInput is the body of POST /exchange-rates.
type ExchangeRateInput struct {
	Currency    string       `json:"currency"`
	EffectiveOn DateInput    `json:"effective_on"`
	UnitsPerUSD DecimalInput `json:"units_per_usd"`
	Source      string       `json:"source"`
}

// Validate returns the rate the input describes.
func (in ExchangeRateInput) Validate() (ExchangeRate, error) {
	p := Problems{}
	r := ExchangeRate{
		Currency:    CurrencyCode("currency", in.Currency, p),
		EffectiveOn: in.EffectiveOn.Required("effective_on", p),
		UnitsPerUSD: Rate{in.UnitsPerUSD.Rate("units_per_usd", p)},
		Source:      Text("source", in.Source, false, 200, false, p),
	}
	if r.Currency == ReportingCurrency {
		p.Add("currency", "USD is the reporting currency: its rate is always 1")
	}
	return r, p.Err()
}

// Quote is what an amount in a currency is worth in USD on a date.
type Quote struct {
	Currency    string `json:"currency"`
	On          Date   `json:"on"`
	UnitsPerUSD Rate   `json:"units_per_usd"`
	EffectiveOn Date   `json:"effective_on"`
	Amount      *Money `json:"amount"`
	AmountUSD   *Money `json:"amount_usd"`
	// Issue 14: how old the rate is on the day asked about, and whether that
	// is beyond the currency's staleness threshold.
	RateEffectiveOn Date `json:"rate_effective_on"`
	RateAgeDays     int  `json:"rate_age_days"`
	StaleAfterDays  int  `json:"stale_after_days"`
	Stale           bool `json:"stale"`
}
