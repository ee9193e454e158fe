package models

import (
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestAgeingBucketBounds(t *testing.T) {
	for days, want := range map[int]string{-5: "current", 0: "current", 1: "1-30", 30: "1-30", 31: "31-90", 90: "31-90",
		91: "91-180", 180: "91-180", 181: "over_180", 5000: "over_180"} {
		if got := AgeingBucket(days); got != want {
			t.Errorf("AgeingBucket(%d) = %s, want %s", days, got, want)
		}
	}
	for _, c := range []struct {
		due, asOf Date
		want      int
	}{{"", "2026-01-01", 0}, {"2026-01-01", "2026-01-01", 0}, {"2026-01-02", "2026-01-01", 0},
		{"2025-12-31", "2026-01-01", 1}, {"2024-02-28", "2024-03-01", 2}, {"2025-01-01", "2026-01-01", 365}} {
		if got := DaysOverdue(c.due, c.asOf); got != c.want {
			t.Errorf("DaysOverdue(%s, %s) = %d, want %d", c.due, c.asOf, got, c.want)
		}
	}
}

// ageingState is a EUR 1000.00 pledge at 0.9 EUR per USD, in three
// instalments of 333.33, 333.33, 333.34, with payments and write-offs.
func ageingState(paid []Payment, writeOffs []PledgeWriteOff) *PledgeState {
	d := decimal.RequireFromString
	rows := []ScheduleRow{{1, "2025-01-31", d("333.33"), decimal.Zero}, {2, "2025-04-30", d("333.33"), decimal.Zero},
		{3, "2025-07-31", d("333.34"), decimal.Zero}}
	var wo decimal.Decimal
	for _, w := range writeOffs {
		wo = wo.Add(w.Amount)
	}
	var sum decimal.Decimal
	for _, p := range paid {
		if p.VoidDay == "" {
			sum = sum.Add(p.Amount)
		}
	}
	// The stored rows carry every write-off, from the last backwards.
	rows = writeOffRows(rows, 2, sum, wo)
	pl := Pledge{ID: 7, DonorID: 3, DonorName: "Swiss Foundation", Reference: "CH-1", Currency: "EUR",
		Amount: Money{d("1000.00"), 2}, ExchangeRate: Rate{d("0.9")}, Paid: Money{sum, 2}, WrittenOff: Money{wo, 2},
		PledgedOn: "2025-01-01", Schedule: rows}
	pl.Derive("2025-12-31")
	return &PledgeState{Pledge: pl, Payments: paid, WriteOffs: writeOffs}
}

func TestAgeingSumsToOutstandingOnEveryDay(t *testing.T) {
	d := decimal.RequireFromString
	st := ageingState([]Payment{{1, "2025-02-10", "", d("500.00")}, {2, "2025-03-01", "2025-06-01", d("100.00")}},
		[]PledgeWriteOff{{"2025-09-15", d("150.00")}})
	for _, day := range []Date{"2024-12-31", "2025-01-01", "2025-01-31", "2025-02-01", "2025-02-10", "2025-03-01", "2025-05-01",
		"2025-06-01", "2025-08-01", "2025-09-15", "2026-03-01"} {
		items := AgeingItems(st, day)
		var sum int64
		for _, it := range items {
			sum += it.cents
			if it.Bucket != AgeingBucket(it.DaysOverdue) {
				t.Fatalf("%s: bucket %s for %d days", day, it.Bucket, it.DaysOverdue)
			}
		}
		if want := st.History().OutstandingOn(day); sum != want {
			t.Fatalf("%s: items sum to %d cents, outstanding is %d", day, sum, want)
		}
		a := NewAgeing(day, items)
		var total int64
		for _, b := range a.Buckets {
			total += ToMinor(b.OutstandingUSD.Amount, 2)
		}
		if total != sum || len(a.Buckets) != 5 {
			t.Fatalf("%s: buckets %v", day, a.Buckets)
		}
	}
	// On 2025-05-01: 500 + 100 paid fill the first instalment and 266.67 of
	// the second; the second (due 2025-04-30) is 1 day overdue; the third is current.
	a := NewAgeing("2025-05-01", AgeingItems(st, "2025-05-01"))
	got := line(len(a.Items), a.Items[0].InstalmentSeq, a.Items[0].Outstanding, a.Items[0].DaysOverdue, a.Items[0].Bucket,
		a.Items[1].InstalmentSeq, a.Items[1].Outstanding, a.Items[1].Bucket)
	eqS(t, "2025-05-01", got, "2 2 66.66 1 1-30 3 333.34 current")
	// On 2025-06-01 the 100 is voided: the second instalment owes 166.66 again.
	a = NewAgeing("2025-06-01", AgeingItems(st, "2025-06-01"))
	eqS(t, "after the void", a.Items[0].Outstanding.String()+" "+a.Items[0].OutstandingUSD.String(), "166.66 185.18")
	// From 2025-09-15, 150 written off the last instalment: 183.34 left on it.
	a = NewAgeing("2025-10-01", AgeingItems(st, "2025-10-01"))
	eqS(t, "after the write-off", line(a.Items[0].DaysOverdue, a.Items[0].InstalmentSeq, a.Items[0].Outstanding,
		a.Items[1].InstalmentSeq, a.Items[1].Outstanding, a.Items[1].Bucket), "154 2 166.66 3 183.34 31-90")
	eqS(t, "buckets", fmt.Sprint(a.Buckets), "[{current 0.00 0} {1-30 0.00 0} {31-90 203.71 1} {91-180 185.18 1} {over_180 0.00 0}]")
}

func TestAgeingOrder(t *testing.T) {
	items := []AgeingItem{{PledgeID: 2, InstalmentSeq: 1, DaysOverdue: 0}, {PledgeID: 1, InstalmentSeq: 2, DaysOverdue: 0},
		{PledgeID: 1, InstalmentSeq: 1, DaysOverdue: 0}, {PledgeID: 3, InstalmentSeq: 1, DaysOverdue: 40}}
	a := NewAgeing("2026-01-01", items)
	var got []string
	for _, it := range a.Items {
		got = append(got, fmt.Sprint(it.PledgeID, "/", it.InstalmentSeq))
	}
	eqS(t, "order", fmt.Sprint(got), "[3/1 1/1 1/2 2/1]")
	if e := NewAgeing("2026-01-01", nil); e.Items == nil || len(e.Buckets) != 5 {
		t.Fatal("an empty ageing has every bucket and an empty list")
	}
}

func TestForecastWindow(t *testing.T) {
	f := NewForecast("2026-03-15", "2026-02", 3) // February, March, April
	for _, c := range []struct {
		due   Date
		cents int64
	}{{"", 1}, {"2025-12-31", 10}, {"2026-03-14", 20}, {"2026-03-15", 300}, {"2026-03-31", 400}, {"2026-04-30", 5000},
		{"2026-05-01", 60000}} {
		f.add(c.due, c.cents)
	}
	out := f.Done()
	eqS(t, "overdue", line(out.OverdueUSD, out.OverdueInstalments), "0.30 2")
	eqS(t, "items", fmt.Sprint(out.Items), "[{2026-02 0.00 0 0} {2026-03 7.00 2 700} {2026-04 50.00 1 5000}]")
	// A window starting later leaves out what falls due before it, unless overdue.
	g := NewForecast("2026-03-15", "2026-04", 1)
	g.add("2026-03-20", 7)
	g.add("2026-03-01", 9)
	out = g.Done()
	eqS(t, "later window", fmt.Sprint(out.OverdueUSD, out.Items), "0.09 [{2026-04 0.00 0 0}]")
	if m, ok := ParseMonth("2026-13"); ok || m != "" {
		t.Fatal("2026-13 is no month")
	}
	if _, ok := ParseMonth("2026-1"); ok {
		t.Fatal("2026-1 is not written YYYY-MM")
	}
	eqS(t, "month add", Month("2026-11").Add(14), "2028-01")
	eqS(t, "months between", monthsBetween("2025-11", "2027-02"), 15)
}

func eqS(t *testing.T, what string, got, want any) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

func line(v ...any) string { return strings.TrimSuffix(fmt.Sprintln(v...), "\n") }
