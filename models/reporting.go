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
	WrittenOff       Money // pledges: written off so far (issue 11); contributions: zero
	Outstanding      Money // pledges: what is still expected (neither paid nor written off); contributions: zero
	OutstandingUSD   Money
}

// SetAmounts fills the money of a record from its minor units and rate text:
// what is outstanding is neither paid nor written off, its USD value rounded
// as the pledge's outstanding_usd is.
func (r *LedgerRecord) SetAmounts(amountMinor, paidMinor, writtenOffMinor int64, rate string) {
	places := MinorUnits(r.Currency)
	r.ExchangeRate, _ = ParseRate(rate)
	r.Amount = Money{FromMinor(amountMinor, places), places}
	r.Paid = Money{FromMinor(paidMinor, places), places}
	r.WrittenOff = Money{FromMinor(writtenOffMinor, places), places}
	settled := r.Paid.Amount.Add(r.WrittenOff.Amount)
	out := r.Amount.Amount.Sub(settled)
	if out.IsNegative() {
		out = decimal.Zero
	}
	r.Outstanding = Money{out, places}
	r.OutstandingUSD = USDCents(OutstandingUSDCents(r.Amount.Amount, settled, r.ExchangeRate.Decimal, false))
}

// CommittedValue is what a pledge still commits its donor to: its amount less
// what was written off (a write-off is agreed never to be paid); a
// contribution's amount.
func (r LedgerRecord) CommittedValue() Money {
	return Money{r.Amount.Amount.Sub(r.WrittenOff.Amount), r.Amount.Places}
}

// AmountUSD is the record's whole value in USD.
func (r LedgerRecord) AmountUSD() Money { return USDCents(r.AmountUSDCents) }

// PublicDonorName is the donor's name, masked when anonymous.
func (r LedgerRecord) PublicDonorName() string { return r.Donor.PublicName() }
