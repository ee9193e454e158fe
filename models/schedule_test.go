package models

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func schedule(t *testing.T, raw string) ScheduleInput {
	t.Helper()
	var s ScheduleInput
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func dueDates(rows []ScheduleRow) string {
	var out []string
	for _, r := range rows {
		out = append(out, string(r.DueOn)+"="+r.Amount.String())
	}
	return strings.Join(out, " ")
}

func TestGeneratedSchedules(t *testing.T) {
	for _, c := range []struct{ raw, total, currency, want string }{
		{`{"instalments": 3, "every": "month", "first_due_on": "2024-01-31"}`, "1000.00", "USD",
			"2024-01-31=333.33 2024-02-29=333.33 2024-03-31=333.34"},
		{`{"instalments": 4, "every": "quarter", "first_due_on": "2026-01-31"}`, "4000000.00", "EUR",
			"2026-01-31=1000000 2026-04-30=1000000 2026-07-31=1000000 2026-10-31=1000000"},
		{`{"instalments": 3, "every": "year", "first_due_on": "2024-02-29"}`, "1000", "JPY",
			"2024-02-29=333 2025-02-28=333 2026-02-28=334"},
		{`{"instalments": 2, "every": "month", "first_due_on": "2025-12-31"}`, "0.003", "KWD",
			"2025-12-31=0.001 2026-01-31=0.002"},
	} {
		p := Problems{}
		rows := schedule(t, c.raw).Schedule(d(c.total), c.currency, "2024-01-01", p)
		if len(p) > 0 || dueDates(rows) != c.want {
			t.Errorf("%s of %s %s: %s %v, want %s", c.raw, c.total, c.currency, dueDates(rows), p, c.want)
		}
	}
}

func TestScheduleProblems(t *testing.T) {
	for _, c := range []struct{ raw, total, want string }{
		{`[{"due_on": "2026-03-31", "amount": "600.00"}, {"due_on": "2026-03-31", "amount": "400.00"}]`, "1000.00", "schedule[1].due_on"},
		{`[{"due_on": "2026-03-31", "amount": "600.00"}, {"due_on": "2026-06-30", "amount": "300.00"}]`, "1000.00", "schedule"},
		{`[{"due_on": "2026-03-31", "amount": "0"}, {"due_on": "2026-06-30", "amount": "1000.00"}]`, "1000.00", "schedule[0].amount"},
		{`[{"due_on": "31/03/2026", "amount": "1000.001"}]`, "1000.00", "schedule[0].amount schedule[0].due_on"},
		{`[{"due_on": "2023-03-31", "amount": "1000.00"}]`, "1000.00", "schedule[0].due_on"},
		{`[]`, "1000.00", "schedule"},
		{`[{"due": "2026-03-31"}]`, "1000.00", "schedule"},
		{`"monthly"`, "1000.00", "schedule"},
		{`{"instalments": 0, "every": "week", "first_due_on": "2026-13-01"}`, "1000.00", "schedule.every schedule.first_due_on schedule.instalments"},
		{`{"instalments": 3, "every": "month", "first_due_on": "2026-01-01"}`, "0.02", "schedule.instalments"},
	} {
		p := Problems{}
		schedule(t, c.raw).Schedule(d(c.total), "USD", "2024-01-01", p)
		var got []string
		for f := range p {
			got = append(got, f)
		}
		if strings.Join(sorted(got), " ") != c.want {
			t.Errorf("%s: problems %v, want fields %s", c.raw, p, c.want)
		}
	}
}

func sorted(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

func four() []ScheduleRow {
	var rows []ScheduleRow
	for i, due := range []Date{"2026-01-31", "2026-04-30", "2026-07-31", "2026-10-31"} {
		rows = append(rows, ScheduleRow{Seq: i + 1, DueOn: due, Amount: d("100"), WrittenOff: decimal.Zero})
	}
	return rows
}

func statuses(ins []Instalment) string {
	var out []string
	for _, in := range ins {
		out = append(out, in.Status+":"+in.Paid.String()+"/"+in.WrittenOff.String()+"/"+in.Outstanding.String())
	}
	return strings.Join(out, " ")
}

func TestAllocationAndWriteOffs(t *testing.T) {
	rows := four()
	// A payment covering two and a half instalments.
	if got, want := statuses(Allocate(rows, 2, d("250"), false, "2026-05-01")),
		"paid:100.00/0.00/0.00 paid:100.00/0.00/0.00 partially_paid:50.00/0.00/50.00 scheduled:0.00/0.00/100.00"; got != want {
		t.Errorf("2.5 paid: %s, want %s", got, want)
	}
	// Overdue once past due with something outstanding.
	if got, want := statuses(Allocate(rows, 2, d("150"), false, "2026-05-01")),
		"paid:100.00/0.00/0.00 overdue:50.00/0.00/50.00 scheduled:0.00/0.00/100.00 scheduled:0.00/0.00/100.00"; got != want {
		t.Errorf("1.5 paid: %s, want %s", got, want)
	}
	// Write-offs come off the last instalments backwards, over what is outstanding.
	rows = writeOffRows(rows, 2, d("250"), d("120"))
	if got, want := statuses(Allocate(rows, 2, d("250"), false, "2026-05-01")),
		"paid:100.00/0.00/0.00 paid:100.00/0.00/0.00 partially_paid:50.00/20.00/30.00 written_off:0.00/100.00/0.00"; got != want {
		t.Errorf("after writing off 120: %s, want %s", got, want)
	}
	// A void re-allocates: the written-off parts stay where they are.
	if got, want := statuses(Allocate(rows, 2, d("100"), false, "2026-05-01")),
		"paid:100.00/0.00/0.00 overdue:0.00/0.00/100.00 scheduled:0.00/20.00/80.00 written_off:0.00/100.00/0.00"; got != want {
		t.Errorf("after a void: %s, want %s", got, want)
	}
	// As of before the second write-off (of 20): taken back from the earliest written-off instalment first.
	if got, want := statuses(Allocate(RowsOn(rows, d("20")), 2, d("250"), false, "2026-05-01")),
		"paid:100.00/0.00/0.00 paid:100.00/0.00/0.00 partially_paid:50.00/0.00/50.00 written_off:0.00/100.00/0.00"; got != want {
		t.Errorf("as of before the last write-off: %s, want %s", got, want)
	}
	if got, want := statuses(Allocate(rows, 2, d("250"), true, "2026-05-01")),
		"paid:100.00/0.00/0.00 paid:100.00/0.00/0.00 cancelled:50.00/20.00/0.00 written_off:0.00/100.00/0.00"; got != want {
		t.Errorf("cancelled: %s, want %s", got, want)
	}
}

func TestPledgeStatusWithInstalments(t *testing.T) {
	base := Pledge{ID: 1, Currency: "EUR", Amount: Money{d("400"), 2}, ExchangeRate: Rate{d("0.9137")}, PledgedOn: "2026-01-01"}
	for _, c := range []struct {
		paid, wo  string
		cancelled bool
		today     Date
		status    string
		next      Date
	}{
		{"0", "0", false, "2026-01-15", StatusOpen, "2026-01-31"},
		{"0", "0", false, "2026-02-01", StatusOverdue, "2026-01-31"},
		{"100", "0", false, "2026-02-01", StatusOpen + "|" + StatusPartiallyPaid, "2026-04-30"},
		{"150", "0", false, "2026-05-01", StatusOverdue, "2026-04-30"},
		{"400", "0", false, "2027-01-01", StatusFulfilled, ""},
		{"250", "150", false, "2027-01-01", StatusWrittenOff, ""},
		{"250", "100", false, "2026-05-01", StatusPartiallyPaid, "2026-07-31"},
		{"250", "100", true, "2027-01-01", StatusCancelled, ""},
	} {
		p := base
		p.Paid, p.WrittenOff, p.Cancelled = Money{d(c.paid), 2}, Money{d(c.wo), 2}, c.cancelled
		p.Schedule = writeOffRows(four(), 2, d(c.paid), d(c.wo))
		p.Derive(c.today)
		if !strings.Contains("|"+c.status+"|", "|"+p.Status+"|") || p.NextDueOn != c.next || p.DueOn != "2026-10-31" {
			t.Errorf("paid %s written off %s on %s: %s next %q due %q, want %s next %q", c.paid, c.wo, c.today, p.Status, p.NextDueOn, p.DueOn, c.status, c.next)
		}
	}
}

// The instalments' USD outstanding sums exactly to the pledge's on every day,
// the rounding remainder on the last open one.
func TestOpenInstalmentsSumToOutstandingUSD(t *testing.T) {
	st := &PledgeState{Pledge: Pledge{ID: 1, Currency: "KWD", Amount: Money{d("1000.001"), 3}, ExchangeRate: Rate{d("0.30711")},
		PledgedOn: "2026-01-01"}}
	p := Problems{}
	st.Pledge.Schedule = schedule(t, `{"instalments": 7, "every": "month", "first_due_on": "2026-01-31"}`).Schedule(st.Pledge.Amount.Amount, "KWD", "2026-01-01", p)
	st.Payments = []Payment{{ReceivedOn: "2026-02-10", Amount: d("200.005")}, {ReceivedOn: "2026-03-10", VoidDay: "2026-04-01", Amount: d("100")}}
	st.Pledge.Paid = Money{d("200.005"), 3}
	st.WriteOffs = []PledgeWriteOff{{Day: "2026-05-05", Amount: d("123.456")}}
	st.Pledge.WrittenOff = Money{d("123.456"), 3}
	st.Pledge.Schedule = writeOffRows(st.Pledge.Schedule, 3, d("200.005"), d("123.456"))
	st.Pledge.Derive("2026-06-01")
	for day := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC); day.Before(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)); day = day.AddDate(0, 0, 1) {
		on := DateOf(day)
		var sum int64
		var minor decimal.Decimal
		for _, in := range st.OpenInstalmentsOn(on) {
			sum += in.OutstandingUSDCents
			minor = minor.Add(in.Outstanding.Amount)
		}
		h := st.History()
		if want := h.OutstandingOn(on); sum != want {
			t.Fatalf("%s: instalments sum to %d cents, the pledge's outstanding is %d", on, sum, want)
		}
		if on >= st.Pledge.PledgedOn && !minor.Equal(st.Pledge.Amount.Amount.Sub(h.PaidOn(on)).Sub(h.WrittenOffOn(on))) {
			t.Fatalf("%s: instalments owe %s", on, minor)
		}
	}
}
