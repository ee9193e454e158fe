package models

import (
	"time"

	"github.com/shopspring/decimal"
)

// Fund is a pooled fund with a target in USD.
type Fund struct {
	ID           int64  `json:"id"`
	Code         string `json:"code"`
	Name         string `json:"name"`
	Organization string `json:"organization"`
	Description  string `json:"description"`
	Currency     string `json:"currency"`
	TargetUSD    Money  `json:"target_usd"`
	OpensOn      Date   `json:"opens_on"`
	ClosesOn     Date   `json:"closes_on"`
	// IATIIdentifier and IATIReportingOrg (issue 13) publish the fund as an IATI activity; nil when unset.
	IATIIdentifier   *string   `json:"iati_identifier"`
	IATIReportingOrg *IATIOrg  `json:"iati_reporting_org"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`

	// RequireAgreementForCommitment refuses to move a pledge to stage
	// commitment until an agreement document is attached to it (issue 16).
	RequireAgreementForCommitment bool `json:"require_agreement_for_commitment"`
	// Translations are the fund's texts in other languages (issue 15).
	Translations map[string]FundTranslation `json:"translations"`
	// ReminderPolicy says when donors are reminded of their instalments; nil: never (issue 11).
	ReminderPolicy *ReminderPolicy `json:"reminder_policy"`
}

// FundInput is the body of POST /funds and, with Partial, of PATCH /funds/{id}.
type FundInput struct {
	Code         *string      `json:"code"`
	Name         *string      `json:"name"`
	Organization *string      `json:"organization"`
	Description  *string      `json:"description"`
	TargetUSD    DecimalInput `json:"target_usd"`
	OpensOn      DateInput    `json:"opens_on"`
	ClosesOn     DateInput    `json:"closes_on"`
	// Issue 13: IATI publishing.
	IATIIdentifier   NullableText `json:"iati_identifier"`
	IATIReportingOrg IATIOrgInput `json:"iati_reporting_org"`

	// RequireAgreementForCommitment (issue 16).
	RequireAgreementForCommitment *bool `json:"require_agreement_for_commitment"`
	// Translations merge per language: null removes a language.
	Translations map[string]*FundTranslationInput `json:"translations"`
	// ReminderPolicy: an object, or null for no reminders (issue 11).
	ReminderPolicy ReminderPolicyInput `json:"reminder_policy"`
}

// Apply validates the input and writes it onto f. When partial, absent fields
// keep f's values; otherwise code, name and target_usd are required.
func (in FundInput) Apply(f *Fund, partial bool) error {
	p := Problems{}
	if in.Code != nil || !partial {
		f.Code = Slug("code", deref(in.Code), p)
	}
	if in.Name != nil || !partial {
		f.Name = Text("name", deref(in.Name), true, 200, false, p)
	}
	if in.Organization != nil {
		f.Organization = Text("organization", *in.Organization, false, 200, false, p)
	}
	if in.Description != nil {
		f.Description = Text("description", *in.Description, false, 5000, true, p)
	}
	if in.TargetUSD.Set || !partial {
		f.TargetUSD = USD(in.TargetUSD.Amount("target_usd", ReportingCurrency, p))
	}
	if in.OpensOn.Given() { // null clears it
		f.OpensOn = in.OpensOn.Optional("opens_on", p)
	}
	if in.ClosesOn.Given() { // null clears it
		f.ClosesOn = in.ClosesOn.Optional("closes_on", p)
	}
	in.IATIIdentifier.apply("iati_identifier", &f.IATIIdentifier, IATIIdentifier, p)
	in.IATIReportingOrg.apply(&f.IATIReportingOrg, p)
	if in.RequireAgreementForCommitment != nil {
		f.RequireAgreementForCommitment = *in.RequireAgreementForCommitment
	}
	in.ReminderPolicy.apply(&f.ReminderPolicy, p)
	if f.OpensOn != "" && f.ClosesOn != "" && f.ClosesOn < f.OpensOn {
		p.Add("closes_on", "must be on or after opens_on")
	}
	if in.Translations != nil || f.Translations == nil {
		f.Translations = applyFundTranslations(f.Translations, in.Translations, p)
	}
	f.Currency = ReportingCurrency
	return p.Err()
}

// optional is nil for "" (an optional text that is unset).
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Progress is how far a fund has come, in USD, as it stood at the end of AsOf.
type Progress struct {
	FundID             int64              `json:"fund_id"`
	FundCode           string             `json:"fund_code"`
	Currency           string             `json:"currency"`
	Target             Money              `json:"target"`
	Paid               Money              `json:"paid"`
	OutstandingPledges Money              `json:"outstanding_pledges"`
	Pledged            Money              `json:"pledged"`
	PercentPaid        string             `json:"percent_paid"`
	PercentPledged     string             `json:"percent_pledged"`
	PaidUnearmarked    Money              `json:"paid_unearmarked"`
	DonorCount         int64              `json:"donor_count"`
	ContributionCount  int64              `json:"contribution_count"`
	FirstContribution  *FirstContribution `json:"first_contribution"`
	AsOf               Date               `json:"as_of"`
}

// FirstContribution names the donor of a fund's earliest live contribution.
type FirstContribution struct {
	Donor      string `json:"donor"`
	ReceivedOn Date   `json:"received_on"`
	// For naming the donor in another language (issue 15).
	Anonymous    bool              `json:"-"`
	DonorName    string            `json:"-"`
	DisplayNames map[string]string `json:"-"`
}

// In names the donor in lang.
func (fc *FirstContribution) In(lang string) *FirstContribution {
	if fc == nil {
		return nil
	}
	out := *fc
	out.Donor = PublicNameIn(fc.DonorName, fc.DisplayNames, fc.Anonymous, lang)
	return &out
}

// Totals are a fund's sums in USD cents; they make a Progress.
type Totals struct {
	PaidCents, OutstandingCents, PaidUnearmarkedCents int64
	DonorCount, ContributionCount                     int64
}

// NewProgress computes the reported figures of a fund from its totals.
func NewProgress(f Fund, t Totals, first *FirstContribution, asOf Date) Progress {
	paid := decimal.New(t.PaidCents, -2)
	out := decimal.New(t.OutstandingCents, -2)
	pledged := paid.Add(out)
	return Progress{
		FundID: f.ID, FundCode: f.Code, Currency: ReportingCurrency,
		Target: f.TargetUSD, Paid: USD(paid), OutstandingPledges: USD(out), Pledged: USD(pledged),
		PercentPaid:       Percent(paid, f.TargetUSD.Amount),
		PercentPledged:    Percent(pledged, f.TargetUSD.Amount),
		PaidUnearmarked:   USDCents(t.PaidUnearmarkedCents),
		DonorCount:        t.DonorCount,
		ContributionCount: t.ContributionCount,
		FirstContribution: first,
		AsOf:              asOf,
	}
}

// DonorShare is one line of a fund's public donor breakdown.
type DonorShare struct {
	Name             string  `json:"name"`
	Kind             *string `json:"kind"` // null for anonymous donors
	CountryCode      string  `json:"country_code"`
	Anonymous        bool    `json:"anonymous"`
	Paid             Money   `json:"paid"`
	Outstanding      Money   `json:"outstanding"`
	Pledged          Money   `json:"pledged"`
	SharePaidPercent string  `json:"share_of_paid_percent"`
	PaidCents        int64   `json:"-"`
	OutstandingCents int64   `json:"-"`
	// DisplayNames name the donor in other languages (issue 15).
	DisplayNames map[string]string `json:"-"`
}

// In names the donor in lang (anonymous donors too).
func (d DonorShare) In(lang string) DonorShare {
	d.Name = PublicNameIn(d.Name, d.DisplayNames, d.Anonymous, lang)
	return d
}

// TimelinePoint is one period of a fund's timeline, in USD.
type TimelinePoint struct {
	Period            string `json:"period"`
	Paid              Money  `json:"paid"`
	CumulativePaid    Money  `json:"cumulative_paid"`
	Pledged           Money  `json:"pledged"`
	CumulativePledged Money  `json:"cumulative_pledged"`
}

// DayTotals are the changes to a fund's USD figures on one day, in cents.
type DayTotals struct {
	Day              Date
	PaidCents        int64
	OutstandingCents int64
}

// Timeline groups day changes (sorted by day) into periods of "day" or "month".
func Timeline(days []DayTotals, interval string) []TimelinePoint {
	points := []TimelinePoint{}
	var cumPaid, cumPledged, paid, pledged int64
	period := ""
	flush := func() {
		if period == "" {
			return
		}
		points = append(points, TimelinePoint{
			Period: period, Paid: USDCents(paid), CumulativePaid: USDCents(cumPaid),
			Pledged: USDCents(pledged), CumulativePledged: USDCents(cumPledged),
		})
	}
	for _, d := range days {
		p := string(d.Day)
		if interval == "month" {
			p = p[:7]
		}
		if p != period {
			flush()
			period, paid, pledged = p, 0, 0
		}
		paid += d.PaidCents
		pledged += d.PaidCents + d.OutstandingCents
		cumPaid += d.PaidCents
		cumPledged += d.PaidCents + d.OutstandingCents
	}
	flush()
	return points
}

// NewDonorShare makes a breakdown line from a donor's cents and the fund's paid total.
func NewDonorShare(name, kind, country string, anonymous bool, paidCents, outstandingCents, fundPaidCents int64) DonorShare {
	paid := decimal.New(paidCents, -2)
	k := &kind
	if anonymous { // the kind narrows who an anonymous donor is (one government among few)
		k = nil
	}
	return DonorShare{Name: name, Kind: k, CountryCode: country, Anonymous: anonymous,
		Paid: USD(paid), Outstanding: USDCents(outstandingCents), Pledged: USDCents(paidCents + outstandingCents),
		SharePaidPercent: Percent(paid, decimal.New(fundPaidCents, -2)), PaidCents: paidCents, OutstandingCents: outstandingCents}
}
