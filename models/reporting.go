package models

import "github.com/shopspring/decimal"

// Kinds of ledger record in reports.
const (
	RecordPledge       = "pledge"
	RecordContribution = "contribution"
)

// LedgerRecord is one live pledge or contribution as the reports of issue 13
// (IATI, OCHA FTS) read it: who, when, how much, in which currency and in USD.
type LedgerRecord struct {
	Kind             string // RecordPledge or RecordContribution
	ID               int64
	FundID           int64
	FundCode         string
	FundName         string
	FundOrganization string
	Donor            Donor
	DonorIATIRef     string
	PledgeID         *int64 // the pledge a contribution pays
	Date             Date   // pledged_on or received_on
	DecisionDate     Date   // pledged_on of the pledge (a contribution without a pledge: its received_on)
	DueOn            Date
	Stage            string // pledges: pledge or commitment
	Earmarking       string
	Reference        string
	Currency         string
	ExchangeRate     Rate
	Amount           Money // the original amount
	AmountUSDCents   int64
	Paid             Money // pledges: paid so far; contributions: the amount
	Outstanding      Money // pledges: what is still expected; contributions: zero
	OutstandingUSD   Money
}

// SetAmounts fills the money of a record from its minor units and rate text.
func (r *LedgerRecord) SetAmounts(amountMinor, paidMinor int64, rate string) {
	places := MinorUnits(r.Currency)
	r.ExchangeRate, _ = ParseRate(rate)
	r.Amount = Money{FromMinor(amountMinor, places), places}
	r.Paid = Money{FromMinor(paidMinor, places), places}
	out := r.Amount.Amount.Sub(r.Paid.Amount)
	if out.IsNegative() {
		out = decimal.Zero
	}
	r.Outstanding = Money{out, places}
	r.OutstandingUSD = USDCents(OutstandingUSDCents(r.Amount.Amount, r.Paid.Amount, r.ExchangeRate.Decimal, false))
}

// AmountUSD is the record's whole value in USD.
func (r LedgerRecord) AmountUSD() Money { return USDCents(r.AmountUSDCents) }

// PublicDonorName is the donor's name, masked when anonymous.
func (r LedgerRecord) PublicDonorName() string { return r.Donor.PublicName() }
