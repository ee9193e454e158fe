package models

import (
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// DonorLink is a private link through which a donor sees its own statement
// (issue 15). Its secret is shown once, at creation, in the url; only its hash
// is stored.
type DonorLink struct {
	ID         int64      `json:"id"`
	DonorID    int64      `json:"donor_id"`
	FundID     *int64     `json:"fund_id"`
	ExpiresOn  Date       `json:"expires_on"`
	Lang       string     `json:"lang"`   // the statement's language ("" for the reader's)
	Status     string     `json:"status"` // active, expired or revoked
	CreatedAt  time.Time  `json:"created_at"`
	CreatedBy  string     `json:"created_by"`
	RevokedAt  *time.Time `json:"revoked_at"`
	RevokedBy  string     `json:"revoked_by"`
	LastUsedOn Date       `json:"last_used_on"`
}

// Donor link statuses.
const (
	LinkActive  = "active"
	LinkExpired = "expired"
	LinkRevoked = "revoked"
)

// LinkStatus is a link's status on day today: a link works through the end
// of its expires_on day (UTC).
func LinkStatus(revoked bool, expiresOn, today Date) string {
	switch {
	case revoked:
		return LinkRevoked
	case today > expiresOn:
		return LinkExpired
	}
	return LinkActive
}

// NewDonorLink is the answer to POST /donors/{id}/links: the link and its url,
// which holds the secret (shown this once).
type NewDonorLink struct {
	DonorLink
	URL string `json:"url"`
}

// MaxLinkDays bounds how far ahead a donor link may expire.
const MaxLinkDays = 3 * 366

// DonorLinkInput is the body of POST /donors/{id}/links.
type DonorLinkInput struct {
	ExpiresOn DateInput `json:"expires_on"`
	FundID    *int64    `json:"fund_id"`
	// Lang, optional, is the donor's language (en, fr, ar): the page opens in it.
	Lang string `json:"lang"`
}

// Validate checks the input on day today.
func (in DonorLinkInput) Validate(today Date) (Date, *int64, string, error) {
	p := Problems{}
	exp := in.ExpiresOn.Required("expires_on", p)
	if exp != "" {
		t, _ := time.Parse(DateLayout, string(today))
		last := DateOf(t.AddDate(0, 0, MaxLinkDays))
		switch {
		case exp < today:
			p.Add("expires_on", "must not be in the past (today is "+string(today)+" UTC)")
		case exp > last:
			p.Add("expires_on", "must be at most "+strconv.Itoa(MaxLinkDays)+" days ahead (on or before "+string(last)+")")
		}
	}
	if in.FundID != nil && *in.FundID <= 0 {
		p.Add("fund_id", "must be a positive id or null")
	}
	if in.Lang != "" && !oneOfList(in.Lang, Languages) {
		p.Add("lang", "must be one of en, fr, ar")
	}
	return exp, in.FundID, in.Lang, p.Err()
}

// DonorStatement is what a donor sees through its link: its own pledges and
// contributions, and their totals per fund and per currency, with USD.
type DonorStatement struct {
	Lang             string                   `json:"lang"`
	Donor            StatementDonor           `json:"donor"`
	FundID           *int64                   `json:"fund_id"`
	From             Date                     `json:"from"`
	To               Date                     `json:"to"`
	GeneratedOn      Date                     `json:"generated_on"`
	ExpiresOn        Date                     `json:"expires_on"`
	Pledges          []StatementPledge        `json:"pledges"`
	Contributions    []StatementGift          `json:"contributions"`
	TotalsByFund     []StatementFundTotal     `json:"totals_by_fund"`
	TotalsByCurrency []StatementCurrencyTotal `json:"totals_by_currency"`
	Total            StatementTotalUSD        `json:"total_usd"`
}

// StatementDonor is the donor as its statement names it.
type StatementDonor struct {
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	CountryCode string `json:"country_code"`
}

// StatementPledge is one of the donor's pledges.
type StatementPledge struct {
	ID             int64  `json:"id"`
	FundCode       string `json:"fund_code"`
	FundName       string `json:"fund_name"`
	PledgedOn      Date   `json:"pledged_on"`
	DueOn          Date   `json:"due_on"`
	Amount         Money  `json:"amount"`
	Currency       string `json:"currency"`
	ExchangeRate   Rate   `json:"exchange_rate"`
	AmountUSD      Money  `json:"amount_usd"`
	Paid           Money  `json:"paid"`
	Outstanding    Money  `json:"outstanding"`
	OutstandingUSD Money  `json:"outstanding_usd"`
	Status         string `json:"status"`
	Earmarking     string `json:"earmarking"`
	Reference      string `json:"reference"`
	// Issue 11: what was written off, and when the next instalment falls due.
	WrittenOff Money `json:"written_off"`
	NextDueOn  Date  `json:"next_due_on"`
}

// StatementGift is one of the donor's contributions (voided ones are left out).
type StatementGift struct {
	ID           int64  `json:"id"`
	FundCode     string `json:"fund_code"`
	FundName     string `json:"fund_name"`
	PledgeID     *int64 `json:"pledge_id"`
	ReceivedOn   Date   `json:"received_on"`
	Amount       Money  `json:"amount"`
	Currency     string `json:"currency"`
	ExchangeRate Rate   `json:"exchange_rate"`
	AmountUSD    Money  `json:"amount_usd"`
	Earmarking   string `json:"earmarking"`
	Reference    string `json:"reference"`
}

// StatementFundTotal sums a donor's records in one fund, in USD.
type StatementFundTotal struct {
	FundCode       string `json:"fund_code"`
	FundName       string `json:"fund_name"`
	PledgedUSD     Money  `json:"pledged_usd"`
	PaidUSD        Money  `json:"paid_usd"`
	OutstandingUSD Money  `json:"outstanding_usd"`
}

// StatementCurrencyTotal sums a donor's records in one currency, with USD.
type StatementCurrencyTotal struct {
	Currency       string `json:"currency"`
	Pledged        Money  `json:"pledged"`
	Paid           Money  `json:"paid"`
	PaidUSD        Money  `json:"paid_usd"`
	Outstanding    Money  `json:"outstanding"`
	OutstandingUSD Money  `json:"outstanding_usd"`
}

// StatementTotalUSD sums the whole statement in USD.
type StatementTotalUSD struct {
	PledgedUSD     Money `json:"pledged_usd"`
	PaidUSD        Money `json:"paid_usd"`
	OutstandingUSD Money `json:"outstanding_usd"`
}

// Totals fills the statement's totals from its pledges and contributions:
// paid sums the contributions listed; pledged and outstanding sum the pledges
// listed that are not cancelled. Sums are exact decimals.
func (st *DonorStatement) Totals() {
	type acc struct{ pledged, paid, paidUSD, out, outUSD, pledgedUSD decimal.Decimal }
	funds, curs := map[string]*acc{}, map[string]*acc{}
	names := map[string]string{}
	var fundOrder, curOrder []string
	get := func(m map[string]*acc, order *[]string, k string) *acc {
		if a, ok := m[k]; ok {
			return a
		}
		a := &acc{}
		m[k] = a
		*order = append(*order, k)
		return a
	}
	total := acc{}
	for _, p := range st.Pledges {
		if p.Status == StatusCancelled {
			continue
		}
		names[p.FundCode] = p.FundName
		f, c := get(funds, &fundOrder, p.FundCode), get(curs, &curOrder, p.Currency)
		f.pledgedUSD = f.pledgedUSD.Add(p.AmountUSD.Amount)
		f.outUSD = f.outUSD.Add(p.OutstandingUSD.Amount)
		c.pledged = c.pledged.Add(p.Amount.Amount)
		c.out = c.out.Add(p.Outstanding.Amount)
		c.outUSD = c.outUSD.Add(p.OutstandingUSD.Amount)
		total.pledgedUSD = total.pledgedUSD.Add(p.AmountUSD.Amount)
		total.outUSD = total.outUSD.Add(p.OutstandingUSD.Amount)
	}
	for _, g := range st.Contributions {
		names[g.FundCode] = g.FundName
		f, c := get(funds, &fundOrder, g.FundCode), get(curs, &curOrder, g.Currency)
		f.paidUSD = f.paidUSD.Add(g.AmountUSD.Amount)
		c.paid = c.paid.Add(g.Amount.Amount)
		c.paidUSD = c.paidUSD.Add(g.AmountUSD.Amount)
		total.paidUSD = total.paidUSD.Add(g.AmountUSD.Amount)
	}
	st.TotalsByFund = []StatementFundTotal{}
	for _, k := range fundOrder {
		a := funds[k]
		st.TotalsByFund = append(st.TotalsByFund, StatementFundTotal{FundCode: k, FundName: names[k], PledgedUSD: USD(a.pledgedUSD),
			PaidUSD: USD(a.paidUSD), OutstandingUSD: USD(a.outUSD)})
	}
	st.TotalsByCurrency = []StatementCurrencyTotal{}
	for _, k := range curOrder {
		a := curs[k]
		st.TotalsByCurrency = append(st.TotalsByCurrency, StatementCurrencyTotal{Currency: k, Pledged: NewMoney(a.pledged, k),
			Paid: NewMoney(a.paid, k), PaidUSD: USD(a.paidUSD), Outstanding: NewMoney(a.out, k), OutstandingUSD: USD(a.outUSD)})
	}
	st.Total = StatementTotalUSD{PledgedUSD: USD(total.pledgedUSD), PaidUSD: USD(total.paidUSD), OutstandingUSD: USD(total.outUSD)}
}
