package models

import "sort"

// Effects is the net change a decided write makes to the aggregate rows, each
// keyed by its row. Effects add up (Add), so a write of many records (an
// import, a merge, a schedule) sums its records' effects in memory and the
// store applies each row once. Amounts are USD cents, or a currency's minor
// units where named so.
type Effects struct {
	Funds      map[int64]FundDelta
	FundDays   map[FundDay]DayDelta
	Donors     map[FundDonor]DonorDelta
	DonorDays  map[FundDonorDay]int64 // live records
	Currencies map[FundCurrency]CurrencyDelta
}

// Keys of the aggregate rows.
type (
	FundDay struct {
		FundID int64
		Day    Date
	}
	FundDonor    struct{ FundID, DonorID int64 }
	FundDonorDay struct {
		FundID, DonorID int64
		Day             Date
	}
	FundCurrency struct {
		FundID   int64
		Currency string
	}
)

// FundDelta changes a fund's totals (fund_totals). Its donor count follows
// the donors' live records, which the store applies (see DonorDelta).
type FundDelta struct{ Paid, Outstanding, Unearmarked, Count int64 }

// DayDelta changes a fund's figures on a day: dated (for ?as_of=, voids and
// cancellations on the day they happened) and the timeline's (the ledger as it
// stands now, by the dates records carry).
type DayDelta struct {
	Paid, Outstanding, Unearmarked, Count int64
	TimelinePaid, TimelineOutstanding     int64
}

// DonorDelta changes a donor's figures in a fund. Live is the change in the
// donor's live records (pledges not cancelled, contributions not voided): the
// fund's donor count moves when a donor's live records go from none to some,
// or back.
type DonorDelta struct{ Paid, Outstanding, Live int64 }

// CurrencyDelta changes a fund's figures in one currency.
type CurrencyDelta struct{ PaidMinor, PaidCents, OutstandingMinor, OutstandingCents int64 }

func (d FundDelta) add(o FundDelta) FundDelta {
	return FundDelta{d.Paid + o.Paid, d.Outstanding + o.Outstanding, d.Unearmarked + o.Unearmarked, d.Count + o.Count}
}
func (d DayDelta) add(o DayDelta) DayDelta {
	return DayDelta{d.Paid + o.Paid, d.Outstanding + o.Outstanding, d.Unearmarked + o.Unearmarked, d.Count + o.Count,
		d.TimelinePaid + o.TimelinePaid, d.TimelineOutstanding + o.TimelineOutstanding}
}
func (d DonorDelta) add(o DonorDelta) DonorDelta {
	return DonorDelta{d.Paid + o.Paid, d.Outstanding + o.Outstanding, d.Live + o.Live}
}
func (d CurrencyDelta) add(o CurrencyDelta) CurrencyDelta {
	return CurrencyDelta{d.PaidMinor + o.PaidMinor, d.PaidCents + o.PaidCents, d.OutstandingMinor + o.OutstandingMinor, d.OutstandingCents + o.OutstandingCents}
}

func bump[K comparable, V interface{ comparable }](m *map[K]V, k K, v V, add func(V, V) V) {
	var zero V
	if v == zero {
		return
	}
	if *m == nil {
		*m = map[K]V{}
	}
	if sum := add((*m)[k], v); sum == zero {
		delete(*m, k)
	} else {
		(*m)[k] = sum
	}
}

// Fund, Day, Donor, DonorDay and Currency add a change to one row.
func (e *Effects) Fund(fundID int64, d FundDelta) { bump(&e.Funds, fundID, d, FundDelta.add) }
func (e *Effects) Day(fundID int64, day Date, d DayDelta) {
	bump(&e.FundDays, FundDay{fundID, day}, d, DayDelta.add)
}
func (e *Effects) Donor(fundID, donorID int64, d DonorDelta) {
	bump(&e.Donors, FundDonor{fundID, donorID}, d, DonorDelta.add)
}
func (e *Effects) DonorDay(fundID, donorID int64, day Date, live int64) {
	bump(&e.DonorDays, FundDonorDay{fundID, donorID, day}, live, func(a, b int64) int64 { return a + b })
}
func (e *Effects) Currency(fundID int64, currency string, d CurrencyDelta) {
	bump(&e.Currencies, FundCurrency{fundID, currency}, d, CurrencyDelta.add)
}

// Add sums o into e.
func (e *Effects) Add(o Effects) {
	for k, v := range o.Funds {
		e.Fund(k, v)
	}
	for k, v := range o.FundDays {
		e.Day(k.FundID, k.Day, v)
	}
	for k, v := range o.Donors {
		e.Donor(k.FundID, k.DonorID, v)
	}
	for k, v := range o.DonorDays {
		e.DonorDay(k.FundID, k.DonorID, k.Day, v)
	}
	for k, v := range o.Currencies {
		e.Currency(k.FundID, k.Currency, v)
	}
}

// IsZero reports effects that change nothing.
func (e Effects) IsZero() bool {
	return len(e.Funds)+len(e.FundDays)+len(e.Donors)+len(e.DonorDays)+len(e.Currencies) == 0
}

// SortedKeys returns a map's keys in a fixed order (rows are then locked in
// the same order by every writer).
func SortedKeys[K comparable, V any](m map[K]V, less func(a, b K) bool) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return less(keys[i], keys[j]) })
	return keys
}

// CurrentTotals are the current values of the aggregate rows a write touches, as the
// store loaded them, for the bounds every total keeps (CheckTotals).
// reset empties e's maps and keeps them, to be filled again.
func (e *Effects) reset() {
	clear(e.Funds)
	clear(e.FundDays)
	clear(e.Donors)
	clear(e.DonorDays)
	clear(e.Currencies)
}

type CurrentTotals struct {
	Funds      map[int64]FundTotal
	Donors     map[FundDonor]FundTotal
	Currencies map[FundCurrency]CurrencyTotal
}

// FundTotal is paid and outstanding, in USD cents, of a fund or of a donor in a fund.
type FundTotal struct{ Paid, Outstanding int64 }

// CurrencyTotal is a fund's paid and outstanding in one currency.
type CurrencyTotal struct{ PaidMinor, PaidCents, OutstandingMinor, OutstandingCents int64 }

// maxTotalCents bounds every USD total (paid, outstanding, pledged = both):
// below 10^15 USD.
const maxTotalCents int64 = 1e17

// CheckTotals reports, on amount, a write whose effects would take a fund's,
// a donor's or a currency's paid, outstanding or pledged total to 10^15 USD
// (or 10^15 units of the currency) or past it.
func CheckTotals(cur CurrentTotals, e Effects, p Problems) {
	over := func(paid, out, max int64) bool { return paid >= max || out >= max || paid+out >= max }
	const msg = "would take a total of the fund past 10^15 USD"
	for id, d := range e.Funds {
		t := cur.Funds[id]
		if d.Paid > 0 || d.Outstanding > 0 {
			if over(t.Paid+d.Paid, t.Outstanding+d.Outstanding, maxTotalCents) {
				p.Add("amount", msg)
			}
		}
	}
	for k, d := range e.Donors {
		t := cur.Donors[k]
		if (d.Paid > 0 || d.Outstanding > 0) && over(t.Paid+d.Paid, t.Outstanding+d.Outstanding, maxTotalCents) {
			p.Add("amount", "would take the donor's total in the fund past 10^15 USD")
		}
	}
	for k, d := range e.Currencies {
		t := cur.Currencies[k]
		maxMinor := ToMinor(MaxAmount, MinorUnits(k.Currency))
		grows := d.PaidMinor > 0 || d.OutstandingMinor > 0 || d.PaidCents > 0 || d.OutstandingCents > 0
		if grows && (over(t.PaidCents+d.PaidCents, t.OutstandingCents+d.OutstandingCents, maxTotalCents) ||
			over(t.PaidMinor+d.PaidMinor, t.OutstandingMinor+d.OutstandingMinor, maxMinor)) {
			p.Add("amount", "would take the fund's total in "+k.Currency+" past 10^15 (USD or "+k.Currency+")")
		}
	}
}
