package models

import (
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// Contribution is money received by a fund, possibly paying a pledge.
type Contribution struct {
	ID           int64  `json:"id"`
	FundID       int64  `json:"fund_id"`
	FundCode     string `json:"fund_code"`
	DonorID      int64  `json:"donor_id"`
	DonorName    string `json:"donor_name"`
	DonorCountry string `json:"-"`
	// PledgeReference is the reference of the pledge it pays, for the
	// export (a re-import finds the pledge by it in another ledger).
	PledgeReference string     `json:"-"`
	PledgeID        *int64     `json:"pledge_id"`
	Amount          Money      `json:"amount"`
	Currency        string     `json:"currency"`
	ExchangeRate    Rate       `json:"exchange_rate"`
	AmountUSD       Money      `json:"amount_usd"`
	ReceivedOn      Date       `json:"received_on"`
	Earmarking      string     `json:"earmarking"`
	Reference       string     `json:"reference"`
	Notes           string     `json:"notes"`
	Voided          bool       `json:"voided"`
	VoidReason      string     `json:"void_reason"`
	VoidedAt        *time.Time `json:"voided_at"`
	VoidedBy        string     `json:"voided_by"`
	CreatedAt       time.Time  `json:"created_at"`
	CreatedBy       string     `json:"created_by"`
	// Acknowledgement of the gift to the donor (issue 15).
	Acknowledgement string `json:"acknowledgement"`
	AcknowledgedOn  Date   `json:"acknowledged_on"`
	// RateEffectiveOn is the effective_on of the recorded rate applied
	// (issue 14); null for USD and for a rate given by hand.
	RateEffectiveOn *Date `json:"rate_effective_on"`
}

// ContributionInput is the body of POST /contributions.
type ContributionInput struct {
	FundID       int64        `json:"fund_id"`
	DonorID      int64        `json:"donor_id"`
	PledgeID     *int64       `json:"pledge_id"`
	Amount       DecimalInput `json:"amount"`
	Currency     string       `json:"currency"`
	ReceivedOn   DateInput    `json:"received_on"`
	ExchangeRate DecimalInput `json:"exchange_rate"`
	Earmarking   string       `json:"earmarking"`
	Reference    string       `json:"reference"`
	Notes        string       `json:"notes"`
}

// Validate checks the input against the pledge it pays (nil when it pays
// none, or when pledge_id names no pledge: DecideContribution reports that)
// and the day it is entered. Fund, donor and currency default to the pledge's.
func (in ContributionInput) Validate(pledge *Pledge, today Date) (Contribution, decimal.Decimal, Problems) {
	p := Problems{}
	c := Contribution{FundID: in.FundID, DonorID: in.DonorID, PledgeID: in.PledgeID}
	if in.PledgeID != nil && *in.PledgeID <= 0 {
		p.Add("pledge_id", "must be a positive id or null")
	}
	cur := in.Currency
	if pledge != nil {
		if c.FundID == 0 {
			c.FundID = pledge.FundID
		}
		if c.DonorID == 0 {
			c.DonorID = pledge.DonorID
		}
		if cur == "" {
			cur = pledge.Currency
		}
	}
	positiveID("fund_id", c.FundID, p)
	positiveID("donor_id", c.DonorID, p)
	c.Currency = CurrencyCode("currency", cur, p)
	c.Amount = NewMoney(in.Amount.Amount("amount", c.Currency, p), c.Currency)
	c.ReceivedOn = in.ReceivedOn.Required("received_on", p)
	if c.ReceivedOn != "" && c.ReceivedOn > today {
		p.Add("received_on", "must not be in the future (today is "+string(today)+" UTC)")
	}
	def := "unearmarked"
	if pledge != nil {
		def = pledge.Earmarking
	}
	c.Earmarking = OneOf("earmarking", in.Earmarking, def, Earmarkings, p)
	c.Reference = Text("reference", in.Reference, false, 200, false, p)
	c.Notes = Text("notes", in.Notes, false, 5000, true, p)
	rate := givenRate(in.ExchangeRate, c.Currency, p)
	if pledge != nil {
		checkAgainstPledge(c, pledge, p)
	}
	return c, rate, p
}

func checkAgainstPledge(c Contribution, pl *Pledge, p Problems) {
	switch {
	case pl.Cancelled:
		p.Add("pledge_id", "pledge "+strconv.FormatInt(pl.ID, 10)+" is cancelled")
	case c.FundID != pl.FundID:
		p.Add("fund_id", "must be the pledge's fund ("+strconv.FormatInt(pl.FundID, 10)+")")
	case c.DonorID != pl.DonorID:
		p.Add("donor_id", "must be the pledge's donor ("+strconv.FormatInt(pl.DonorID, 10)+")")
	case c.Currency != "" && c.Currency != pl.Currency:
		p.Add("currency", "must be the pledge's currency ("+pl.Currency+")")
	case c.Amount.Amount.IsPositive() && c.Amount.Amount.Cmp(pl.Outstanding.Amount) > 0:
		p.Add("amount", "exceeds what is outstanding on pledge "+strconv.FormatInt(pl.ID, 10)+" ("+pl.Outstanding.String()+" "+pl.Currency+")")
	}
}
