package api_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func row(due, amount string) map[string]any { return map[string]any{"due_on": due, "amount": amount} }

func instalments(r *response) []map[string]any {
	raw, _ := r.body["instalments"].([]any)
	out := make([]map[string]any, len(raw))
	for i, v := range raw {
		out[i] = v.(map[string]any)
	}
	return out
}

func summary(ins []map[string]any) string {
	s := ""
	for _, in := range ins {
		s += fmt.Sprintf("%v %v %v/%v/%v/%v %v; ", in["seq"], in["due_on"], in["amount"], in["paid"], in["written_off"], in["outstanding"], in["status"])
	}
	return s
}

// Issue 11: schedules given on POST /pledges, refused with every field named
// and nothing written, or answered with their instalments.
func TestPledgeSchedules(t *testing.T) {
	f := newFixture(t)
	refused := []struct {
		name  string
		extra []any
		field string
	}{
		{"sum differs", []any{"schedule", []any{row("2025-03-31", "600.00"), row("2025-06-30", "300.00")}}, "schedule"},
		{"dates not increasing", []any{"schedule", []any{row("2025-03-31", "600.00"), row("2025-03-31", "400.00")}}, "schedule[1].due_on"},
		{"amount zero", []any{"schedule", []any{row("2025-03-31", "0.00"), row("2025-06-30", "1000.00")}}, "schedule[0].amount"},
		{"too many decimals", []any{"schedule", []any{row("2025-03-31", "1000.001")}}, "schedule[0].amount"},
		{"due before pledged", []any{"schedule", []any{row("2024-01-31", "1000.00")}}, "schedule[0].due_on"},
		{"empty", []any{"schedule", []any{}}, "schedule"},
		{"wrong shape", []any{"schedule", "quarterly"}, "schedule"},
		{"unknown cadence", []any{"schedule", map[string]any{"instalments": 4, "every": "week", "first_due_on": "2025-01-31"}}, "schedule.every"},
		{"no instalments", []any{"schedule", map[string]any{"every": "month", "first_due_on": "2025-01-31"}}, "schedule.instalments"},
		{"due_on not the last", []any{"due_on", "2025-03-31", "schedule", []any{row("2025-03-31", "500.00"), row("2025-06-30", "500.00")}}, "due_on"},
	}
	for _, c := range refused {
		t.Run("refused/"+c.name, func(t *testing.T) {
			before := f.counts()
			f.env.t = t
			f.pledge(f.morocco, "1000.00", "USD", "2024-08-01", c.extra...).fails(422, "validation_failed", c.field)
			f.unchanged(before, c.name)
		})
	}
	f.env.t = t

	// Generated, quarterly from the end of January: the day past a month's end falls on its last day.
	p := f.pledge(f.morocco, "1000.00", "USD", "2024-08-01", "schedule",
		map[string]any{"instalments": 3, "every": "quarter", "first_due_on": "2025-01-31"}).status(201)
	eq(t, "generated", summary(instalments(p)), "1 2025-01-31 333.33/0.00/0.00/333.33 overdue; 2 2025-04-30 333.33/0.00/0.00/333.33 overdue; "+
		"3 2025-07-31 333.34/0.00/0.00/333.34 overdue; ")
	eq(t, "due_on", p.body["due_on"], "2025-07-31")
	eq(t, "next_due_on", p.body["next_due_on"], "2025-01-31")
	eq(t, "status", p.body["status"], "overdue")
	// Without a schedule: one instalment of the whole amount on due_on (none without one).
	q := f.pledge(f.swiss, "500.00", "CHF", "2024-08-01").status(201)
	eq(t, "single", summary(instalments(q)), "1 <nil> 500.00/0.00/0.00/500.00 scheduled; ")
	eq(t, "no next due", q.body["next_due_on"], nil)

	// A payment covering two and a half instalments, then a void re-opening them.
	id := p.id()
	pay := f.pay(f.morocco, id, "833.33", "USD", "2024-09-01").status(201).id()
	got := f.do("GET", fmt.Sprintf("/api/v1/pledges/%d", id), f.staff, nil).status(200)
	eq(t, "2.5 paid", summary(instalments(got)), "1 2025-01-31 333.33/333.33/0.00/0.00 paid; 2 2025-04-30 333.33/333.33/0.00/0.00 paid; "+
		"3 2025-07-31 333.34/166.67/0.00/166.67 overdue; ")
	f.do("POST", fmt.Sprintf("/api/v1/contributions/%d/void", pay), f.staff, map[string]any{"reason": "bounced"}).status(200)
	got = f.do("GET", fmt.Sprintf("/api/v1/pledges/%d", id), f.staff, nil).status(200)
	eq(t, "voided", summary(instalments(got)), "1 2025-01-31 333.33/0.00/0.00/333.33 overdue; 2 2025-04-30 333.33/0.00/0.00/333.33 overdue; "+
		"3 2025-07-31 333.34/0.00/0.00/333.34 overdue; ")

	// A write-off counted once: outstanding and pledged fall by its USD value, the paid part stays paid.
	f.pay(f.morocco, id, "400.00", "USD", "2024-09-02").status(201)
	before := f.progress("")
	wo := f.do("POST", fmt.Sprintf("/api/v1/pledges/%d/write-off", id), f.staff, map[string]any{"amount": "100.00", "reason": "Will not be paid"}).status(200)
	eq(t, "written off", summary(instalments(wo)), "1 2025-01-31 333.33/333.33/0.00/0.00 paid; 2 2025-04-30 333.33/66.67/0.00/266.66 overdue; "+
		"3 2025-07-31 333.34/0.00/100.00/233.34 overdue; ")
	eq(t, "written_off", wo.body["written_off"], "100.00")
	eq(t, "written_off_usd", wo.body["written_off_usd"], "100.00")
	after := f.progress("")
	eq(t, "outstanding falls", mustDec(before.body["outstanding_pledges"]).Sub(mustDec(after.body["outstanding_pledges"])).StringFixed(2), "100.00")
	eq(t, "pledged falls", mustDec(before.body["pledged"]).Sub(mustDec(after.body["pledged"])).StringFixed(2), "100.00")
	eq(t, "paid stays", after.body["paid"], before.body["paid"])

	f.do("POST", fmt.Sprintf("/api/v1/pledges/%d/write-off", id), f.staff, map[string]any{"amount": "500.01", "reason": "x"}).fails(422, "validation_failed", "amount")
	f.do("POST", fmt.Sprintf("/api/v1/pledges/%d/write-off", id), f.staff, map[string]any{"amount": "1.00"}).fails(422, "validation_failed", "reason")

	// A reschedule keeps the paid part allocated and must sum to amount - written_off.
	f.do("PUT", fmt.Sprintf("/api/v1/pledges/%d/schedule", id), f.staff, map[string]any{"schedule": []any{row("2026-12-31", "1000.00")}}).
		fails(422, "validation_failed", "schedule")
	rs := f.do("PUT", fmt.Sprintf("/api/v1/pledges/%d/schedule", id), f.staff, map[string]any{"schedule": []any{
		row("2024-12-31", "300.00"), row("2099-06-30", "600.00")}}).status(200)
	eq(t, "rescheduled", summary(instalments(rs)), "1 2024-12-31 300.00/300.00/0.00/0.00 paid; 2 2099-06-30 600.00/100.00/0.00/500.00 partially_paid; ")
	eq(t, "still written off", rs.body["written_off"], "100.00")
	eq(t, "status", rs.body["status"], "partially_paid")
	eq(t, "next", rs.body["next_due_on"], "2099-06-30")
	eq(t, "outstanding", rs.body["outstanding"], "500.00")
	eq(t, "progress unchanged by a reschedule", f.progress("").body["outstanding_pledges"], after.body["outstanding_pledges"])
	audit := f.do("GET", fmt.Sprintf("/api/v1/audit?entity=pledge&entity_id=%d&action=reschedule", id), f.admin, nil).status(200).items()
	eq(t, "reschedule audited", len(audit), 1)

	// Writing off the rest: status written_off, nothing outstanding; then 409.
	rest := f.do("POST", fmt.Sprintf("/api/v1/pledges/%d/write-off", id), f.staff, map[string]any{"reason": "Donor withdrew"}).status(200)
	eq(t, "status", rest.body["status"], "written_off")
	eq(t, "outstanding", rest.body["outstanding"], "0.00")
	eq(t, "next", rest.body["next_due_on"], nil)
	f.do("POST", fmt.Sprintf("/api/v1/pledges/%d/write-off", id), f.staff, map[string]any{"reason": "again"}).fails(409, "conflict", "")
	list := f.do("GET", fmt.Sprintf("/api/v1/pledges?status=written_off&fund_id=%d", f.fund), f.staff, nil).status(200).items()
	eq(t, "status filter", len(list), 1)
	f.do("POST", fmt.Sprintf("/api/v1/pledges/%d/cancel", q.id()), f.staff, map[string]any{"reason": "withdrawn"}).status(200)
	f.do("POST", fmt.Sprintf("/api/v1/pledges/%d/write-off", q.id()), f.staff, map[string]any{"reason": "x"}).fails(409, "conflict", "")
	f.do("PUT", fmt.Sprintf("/api/v1/pledges/%d/schedule", q.id()), f.staff, map[string]any{"schedule": []any{row("2026-12-31", "500.00")}}).fails(409, "conflict", "")
}

func mustDec(v any) decimal.Decimal { return decimal.RequireFromString(fmt.Sprint(v)) }

// A write-off counts in ?as_of= from the day it was made, once.
func TestWriteOffAsOf(t *testing.T) {
	f := newFixture(t)
	id := f.pledge(f.swiss, "3000.00", "EUR", "2024-08-01", "schedule", []any{row("2024-12-31", "1000.00"), row("2025-12-31", "2000.00")}).status(201).id()
	f.pay(f.swiss, id, "1000.00", "EUR", "2024-12-20").status(201)
	today := time.Now().UTC().Format("2006-01-02")
	yesterday := time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02")
	before := f.progress("?as_of=" + yesterday)
	wo := f.do("POST", fmt.Sprintf("/api/v1/pledges/%d/write-off", id), f.staff, map[string]any{"amount": "500.00", "reason": "Budget cut"}).status(200)
	eq(t, "written_off_usd", wo.body["written_off_usd"], "555.55") // 2000/0.9 - 1500/0.9 = 2222.22 - 1666.67
	eq(t, "as of yesterday, unchanged", f.progress("?as_of=" + yesterday).body["outstanding_pledges"], before.body["outstanding_pledges"])
	now := f.progress("?as_of=" + today)
	eq(t, "as of today, less by its USD value", mustDec(before.body["outstanding_pledges"]).Sub(mustDec(now.body["outstanding_pledges"])).StringFixed(2), "555.55")
	eq(t, "pledged too", mustDec(before.body["pledged"]).Sub(mustDec(now.body["pledged"])).StringFixed(2), "555.55")
	eq(t, "and now", f.progress("").body["outstanding_pledges"], now.body["outstanding_pledges"])
	eq(t, "instalments", summary(instalments(wo)), "1 2024-12-31 1000.00/1000.00/0.00/0.00 paid; 2 2025-12-31 2000.00/0.00/500.00/1500.00 overdue; ")
}

// An exported pledge partly written off is a row error on re-import (live,
// its written-off part would be owed again).
func TestWrittenOffPledgeNotReimported(t *testing.T) {
	f := newFixture(t)
	id := f.pledge(f.morocco, "900.00", "USD", "2025-07-29", "reference", "MA-9").status(201).id()
	f.do("POST", fmt.Sprintf("/api/v1/pledges/%d/write-off", id), f.staff, map[string]any{"amount": "100.00", "reason": "cut"}).status(200)
	csv := f.do("GET", "/api/v1/exports/pledges.csv?voided=exclude", f.staff, nil).status(200).raw
	r := f.env.importFile(f.staff, "pledges", "dry_run", "pledges.csv", csv, "").status(200)
	eq(t, "errors", fmt.Sprint(rowErrors(r)), "[2 written_off written_off]")
}

// A write-off with an Idempotency-Key is made once: the retry answers the
// first answer (200, replayed), and the same key on another pledge is refused (409).
func TestWriteOffIdempotent(t *testing.T) {
	f := newFixture(t)
	a := f.pledge(f.morocco, "900.00", "USD", "2025-07-29").status(201).id()
	b := f.pledge(f.swiss, "900.00", "USD", "2025-07-29").status(201).id()
	body := map[string]any{"amount": "100.00", "reason": "cut"}
	first := f.do("POST", fmt.Sprintf("/api/v1/pledges/%d/write-off", a), f.staff, body, "Idempotency-Key", "wo-1").status(200)
	again := f.do("POST", fmt.Sprintf("/api/v1/pledges/%d/write-off", a), f.staff, body, "Idempotency-Key", "wo-1").status(200)
	eq(t, "replayed", again.header.Get("Idempotent-Replayed"), "true")
	eq(t, "same answer", string(again.raw), string(first.raw))
	eq(t, "written off once", f.do("GET", fmt.Sprintf("/api/v1/pledges/%d", a), f.staff, nil).status(200).body["written_off"], "100.00")
	f.do("POST", fmt.Sprintf("/api/v1/pledges/%d/write-off", b), f.staff, body, "Idempotency-Key", "wo-1").fails(409, "conflict", "")
	eq(t, "the other pledge untouched", f.do("GET", fmt.Sprintf("/api/v1/pledges/%d", b), f.staff, nil).status(200).body["written_off"], "0.00")
	audit := f.do("GET", fmt.Sprintf("/api/v1/audit?entity=pledge&action=write_off"), f.admin, nil).status(200).items()
	eq(t, "one audit row", len(audit), 1)
	after, _ := audit[0]["after"].(map[string]any)
	wo, _ := after["write_off"].(map[string]any)
	eq(t, "audited write-off", fmt.Sprint(wo["reason"], " ", wo["amount"], " ", wo["amount_usd"]), "cut 100.00 100.00")
}
