package models

import (
	"sort"
	"strconv"
	"time"
)

// Issue 11: the ageing of what donors still owe a fund (the "pledged but
// not paid" list) and the cash a fund may expect month by month. Both are
// pure functions of the pledges' states (PledgeState.OpenInstalmentsOn): the
// store loads the states, these functions bucket and sum them, in USD cents,
// so that every total is exact.

// Ageing buckets, by days overdue: not yet due (or due that very day, or
// without a due date), 1 to 30, 31 to 90, 91 to 180, more than 180 days.
const (
	BucketCurrent  = "current"
	Bucket1To30    = "1-30"
	Bucket31To90   = "31-90"
	Bucket91To180  = "91-180"
	BucketOver180  = "over_180"
	MaxForecastLen = 60 // months a forecast may span
)

// AgeingBuckets lists the buckets in the order answered.
var AgeingBuckets = []string{BucketCurrent, Bucket1To30, Bucket31To90, Bucket91To180, BucketOver180}

// AgeingBucket names the bucket of an instalment overdue by days.
func AgeingBucket(days int) string {
	switch {
	case days <= 0:
		return BucketCurrent
	case days <= 30:
		return Bucket1To30
	case days <= 90:
		return Bucket31To90
	case days <= 180:
		return Bucket91To180
	}
	return BucketOver180
}

// DaysOverdue counts the days from due to asOf: 0 when there is no due date
// or it is not past (an instalment due on asOf is not yet overdue).
func DaysOverdue(due, asOf Date) int {
	if due == "" || due >= asOf {
		return 0
	}
	return DaysBetween(due, asOf)
}

// AgeingItem is one open instalment of a live pledge, aged on a day.
type AgeingItem struct {
	PledgeID       int64  `json:"pledge_id"`
	DonorID        int64  `json:"donor_id"`
	DonorName      string `json:"donor_name"`
	Reference      string `json:"reference"`
	InstalmentSeq  int    `json:"instalment_seq"`
	DueOn          Date   `json:"due_on"` // null when the pledge has no due date
	DaysOverdue    int    `json:"days_overdue"`
	Outstanding    Money  `json:"outstanding"` // in the pledge's currency
	Currency       string `json:"currency"`
	OutstandingUSD Money  `json:"outstanding_usd"`
	Bucket         string `json:"bucket"`
	cents          int64
}

// AgeingTotal is what one bucket holds.
type AgeingTotal struct {
	Bucket         string `json:"bucket"`
	OutstandingUSD Money  `json:"outstanding_usd"`
	Instalments    int    `json:"instalments"`
}

// Ageing is GET /funds/{id}/ageing: every bucket, in order, then the items,
// most overdue first (then by pledge id and instalment seq).
type Ageing struct {
	AsOf    Date          `json:"as_of"`
	Buckets []AgeingTotal `json:"buckets"`
	Items   []AgeingItem  `json:"items"`
}

// AgeingItems are the open instalments of a pledge at the end of asOf, aged:
// none when it was not yet pledged, or was cancelled by then. Their USD
// cents sum exactly to the pledge's outstanding_usd on asOf.
func AgeingItems(st *PledgeState, asOf Date) []AgeingItem {
	pl := st.Pledge
	open := st.OpenInstalmentsOn(asOf)
	out := make([]AgeingItem, len(open))
	for i, in := range open {
		days := DaysOverdue(in.DueOn, asOf)
		out[i] = AgeingItem{PledgeID: pl.ID, DonorID: pl.DonorID, DonorName: pl.DonorName, Reference: pl.Reference,
			InstalmentSeq: in.Seq, DueOn: in.DueOn, DaysOverdue: days, Outstanding: in.Outstanding, Currency: pl.Currency,
			OutstandingUSD: USDCents(in.OutstandingUSDCents), Bucket: AgeingBucket(days), cents: in.OutstandingUSDCents}
	}
	return out
}

// NewAgeing orders the items (most overdue first, then pledge id, then
// instalment seq) and sums them into every bucket, empty ones included.
func NewAgeing(asOf Date, items []AgeingItem) Ageing {
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if a.DaysOverdue != b.DaysOverdue {
			return a.DaysOverdue > b.DaysOverdue
		}
		if a.PledgeID != b.PledgeID {
			return a.PledgeID < b.PledgeID
		}
		return a.InstalmentSeq < b.InstalmentSeq
	})
	cents := make(map[string]int64, len(AgeingBuckets))
	counts := make(map[string]int, len(AgeingBuckets))
	for _, it := range items {
		cents[it.Bucket] += it.cents
		counts[it.Bucket]++
	}
	a := Ageing{AsOf: asOf, Buckets: make([]AgeingTotal, len(AgeingBuckets)), Items: items}
	if a.Items == nil {
		a.Items = []AgeingItem{}
	}
	for i, b := range AgeingBuckets {
		a.Buckets[i] = AgeingTotal{Bucket: b, OutstandingUSD: USDCents(cents[b]), Instalments: counts[b]}
	}
	return a
}

// Month is a calendar month written YYYY-MM.
type Month string

// ParseMonth checks that s is a month written YYYY-MM (from 1900).
func ParseMonth(s string) (Month, bool) {
	t, err := time.Parse("2006-01", s)
	if err != nil || len(s) != 7 || t.Year() < 1900 {
		return "", false
	}
	return Month(s), true
}

// MonthOf is the month of a date.
func MonthOf(d Date) Month { return Month(string(d)[:7]) }

// Add is the month n months later.
func (m Month) Add(n int) Month {
	t, _ := time.Parse("2006-01", string(m))
	return Month(t.AddDate(0, n, 0).Format("2006-01"))
}

// ForecastMonth is what is expected in one month.
type ForecastMonth struct {
	Period      Month `json:"period"`
	ExpectedUSD Money `json:"expected_usd"`
	Instalments int   `json:"instalments"`
	cents       int64
}

// Forecast is GET /funds/{id}/forecast: the outstanding of the open
// instalments of live pledges as they stand on AsOf (today), by the month
// they fall due, one item per month of the window [From, From+Months), empty
// months included. An instalment due before AsOf is overdue: it counts in
// OverdueUSD only, whatever its month. One not overdue counts in its month
// when the window holds it, and nowhere otherwise (due in a month before
// From, when From is a later month, or after the window). An instalment
// without a due date is never overdue and has no month: it is left out (the
// ageing shows it, in the current bucket). So the items' months before
// AsOf's month are always empty, and overdue_usd plus the items plus what is
// left out is the fund's outstanding_pledges.
type Forecast struct {
	AsOf               Date            `json:"as_of"`
	From               Month           `json:"from"`
	Months             int             `json:"months"`
	OverdueUSD         Money           `json:"overdue_usd"`
	OverdueInstalments int             `json:"overdue_instalments"`
	Items              []ForecastMonth `json:"items"`
	overdue            int64
}

// NewForecast starts a forecast on asOf for months months from from.
func NewForecast(asOf Date, from Month, months int) *Forecast {
	f := &Forecast{AsOf: asOf, From: from, Months: months, Items: make([]ForecastMonth, months)}
	for i := range f.Items {
		f.Items[i].Period = from.Add(i)
	}
	return f
}

// Add counts the open instalments of a pledge as they stand on the forecast's day.
func (f *Forecast) Add(st *PledgeState) {
	for _, in := range st.OpenInstalmentsOn(f.AsOf) {
		f.add(in.DueOn, in.OutstandingUSDCents)
	}
}

func (f *Forecast) add(due Date, cents int64) {
	switch {
	case due == "":
		return
	case due < f.AsOf:
		f.overdue += cents
		f.OverdueInstalments++
		return
	}
	m := MonthOf(due)
	if m < f.From || m >= f.From.Add(f.Months) {
		return
	}
	i := monthsBetween(f.From, m)
	f.Items[i].cents += cents
	f.Items[i].Instalments++
}

// Done writes the sums as USD.
func (f *Forecast) Done() Forecast {
	f.OverdueUSD = USDCents(f.overdue)
	for i := range f.Items {
		f.Items[i].ExpectedUSD = USDCents(f.Items[i].cents)
	}
	return *f
}

func monthsBetween(a, b Month) int {
	ya, _ := strconv.Atoi(string(a)[:4])
	ma, _ := strconv.Atoi(string(a)[5:])
	yb, _ := strconv.Atoi(string(b)[:4])
	mb, _ := strconv.Atoi(string(b)[5:])
	return (yb-ya)*12 + mb - ma
}
