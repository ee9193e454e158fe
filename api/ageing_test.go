package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fundtracker/fundtracker/api"
	"github.com/shopspring/decimal"
)

// Issue 11 through the real server, on the engine the suite runs on: payments
// covering several instalments, a void re-opening them, a write-off counted
// once, a reschedule keeping what was paid, the ageing equal to progress's
// outstanding_pledges on every day, the forecast's sums, and the reports.

// ageingFixture runs with the store's clock stopped on 2026-06-15, so that
// what is overdue does not depend on the day the tests run.
func ageingFixture(t *testing.T) *fixture {
	clk := &clock{t: time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)}
	return fixtureOn(newEnvConfig(t, api.Config{MetricsToken: testMetricsToken}, clk))
}

func (f *fixture) ageing(asOf string) *response {
	q := ""
	if asOf != "" {
		q = "?as_of=" + asOf
	}
	return f.do("GET", fmt.Sprintf("/api/v1/funds/%d/ageing%s", f.fund, q), f.staff, nil).status(200)
}

// agedItems lists an ageing's items as "pledge/seq outstanding days bucket".
func agedItems(r *response, pledge int64) []string {
	var out []string
	for _, it := range r.items() {
		if pledge != 0 && int64(it["pledge_id"].(float64)) != pledge {
			continue
		}
		out = append(out, fmt.Sprintf("%v/%v %v %v %v", it["pledge_id"], it["instalment_seq"], it["outstanding"], it["days_overdue"], it["bucket"]))
	}
	return out
}

// checkAgeing checks an ageing against itself and against progress on the
// same day: five buckets in order, each the sum of its items, together
// progress's outstanding_pledges; items most overdue first.
func (f *fixture) checkAgeing(t *testing.T, asOf string) *response {
	t.Helper()
	a := f.ageing(asOf)
	q := ""
	if asOf != "" {
		q = "?as_of=" + asOf
		eq(t, "as_of", a.str("as_of"), asOf)
	}
	buckets := a.body["buckets"].([]any)
	sums := map[string]decimal.Decimal{}
	counts := map[string]int{}
	prevDays, prevPledge, prevSeq := 1<<30, 0.0, 0.0
	for _, it := range a.items() {
		sums[it["bucket"].(string)] = sums[it["bucket"].(string)].Add(dec(t, it["outstanding_usd"].(string)))
		counts[it["bucket"].(string)]++
		days, pl, seq := int(it["days_overdue"].(float64)), it["pledge_id"].(float64), it["instalment_seq"].(float64)
		if days > prevDays || (days == prevDays && (pl < prevPledge || (pl == prevPledge && seq <= prevSeq))) {
			t.Fatalf("as of %s: items out of order at %v", asOf, it)
		}
		prevDays, prevPledge, prevSeq = days, pl, seq
	}
	total := decimal.Zero
	for i, want := range []string{"current", "1-30", "31-90", "91-180", "over_180"} {
		b := buckets[i].(map[string]any)
		eq(t, "bucket", b["bucket"], want)
		eq(t, "as of "+asOf+" bucket "+want, b["outstanding_usd"], sums[want].StringFixed(2))
		eq(t, "as of "+asOf+" count "+want, b["instalments"], counts[want])
		total = total.Add(dec(t, b["outstanding_usd"].(string)))
	}
	eq(t, "ageing = outstanding_pledges as of "+asOf, total.StringFixed(2), f.progress(q).str("outstanding_pledges"))
	return a
}

func TestAgeingFollowsPaymentsVoidsWriteOffsAndReschedules(t *testing.T) {
	f := ageingFixture(t)
	days := []string{"2025-12-31", "2026-01-01", "2026-01-31", "2026-02-01", "2026-04-09", "2026-04-10", "2026-05-01", "2026-05-31",
		"2026-06-01", "2026-06-14", "2026-06-15", "2027-03-01", ""}
	checkAll := func(when string) {
		t.Helper()
		for _, d := range days {
			t.Run(when+" "+d, func(t *testing.T) { f.checkAgeing(t, d) })
		}
	}
	// EUR 1,000.00 at 0.9 in four instalments of 250.00.
	p1 := f.pledge(f.swiss, "1000.00", "EUR", "2026-01-01", "reference", "CH-2026", "schedule", []any{
		map[string]any{"due_on": "2026-01-31", "amount": "250.00"}, map[string]any{"due_on": "2026-03-31", "amount": "250.00"},
		map[string]any{"due_on": "2026-05-31", "amount": "250.00"}, map[string]any{"due_on": "2026-07-31", "amount": "250.00"}}).status(201).id()
	// USD 1,000.00 in four monthly instalments from 2026-05-20; a reference a spreadsheet would run.
	p2 := f.pledge(f.morocco, "1000.00", "USD", "2026-05-01", "reference", "=HYPERLINK(1)", "schedule",
		map[string]any{"instalments": 4, "every": "month", "first_due_on": "2026-05-20"}).status(201).id()
	// USD 500.00 with no due date; USD 300.00 due 2026-02-15, cancelled today.
	p3 := f.pledge(f.anon, "500.00", "USD", "2026-02-01").status(201).id()
	p4 := f.pledge(f.swiss, "300.00", "USD", "2026-01-15", "due_on", "2026-02-15").status(201).id()
	f.do("POST", fmt.Sprintf("/api/v1/pledges/%d/cancel", p4), f.staff, map[string]any{"reason": "Withdrawn"}).status(200)
	checkAll("pledged")

	// One payment covers two and a half instalments.
	pay := f.pay(f.swiss, p1, "625.00", "EUR", "2026-04-10").status(201).id()
	pl := f.do("GET", fmt.Sprintf("/api/v1/pledges/%d", p1), f.staff, nil).status(200)
	eq(t, "instalments after 625.00", allocation(pl), "[250.00/250.00/paid 250.00/250.00/paid 250.00/125.00/overdue 250.00/0.00/scheduled]")
	eq(t, "next_due_on", pl.str("next_due_on"), "2026-05-31")
	a := f.checkAgeing(t, "")
	eq(t, "as_of defaults to the store's today", a.str("as_of"), "2026-06-15")
	eq(t, "items today", agedItems(a, 0), []string{
		fmt.Sprintf("%d/1 250.00 26 1-30", p2), fmt.Sprintf("%d/3 125.00 15 1-30", p1), fmt.Sprintf("%d/4 250.00 0 current", p1),
		fmt.Sprintf("%d/2 250.00 0 current", p2), fmt.Sprintf("%d/3 250.00 0 current", p2), fmt.Sprintf("%d/4 250.00 0 current", p2),
		fmt.Sprintf("%d/1 500.00 0 current", p3)})
	// USD per instalment to the cent, the remainder on the last: 125/0.9 = 138.89, 416.67 - 138.89 = 277.78.
	for _, it := range a.items() {
		if int64(it["pledge_id"].(float64)) == p1 {
			want := map[float64]string{3: "138.89", 4: "277.78"}[it["instalment_seq"].(float64)]
			eq(t, "outstanding_usd", it["outstanding_usd"], want)
			eq(t, "currency", it["currency"], "EUR")
			eq(t, "donor_name", it["donor_name"], "Swiss Foundation")
			eq(t, "reference", it["reference"], "CH-2026")
		}
		if int64(it["pledge_id"].(float64)) == p3 && it["due_on"] != nil {
			t.Fatalf("a pledge without due date: due_on %v", it["due_on"])
		}
	}
	eq(t, "p1 before the payment", agedItems(f.ageing("2026-04-09"), p1), []string{fmt.Sprintf("%d/1 250.00 68 31-90", p1),
		fmt.Sprintf("%d/2 250.00 9 1-30", p1), fmt.Sprintf("%d/3 250.00 0 current", p1), fmt.Sprintf("%d/4 250.00 0 current", p1)})
	eq(t, "p4 live before its cancellation", len(agedItems(f.ageing("2026-06-14"), p4)), 1)
	eq(t, "p4 gone once cancelled", len(agedItems(f.ageing("2026-06-15"), p4)), 0)
	checkAll("paid")

	// The void re-opens the instalments, from the day it was made.
	f.do("POST", fmt.Sprintf("/api/v1/contributions/%d/void", pay), f.staff, map[string]any{"reason": "Bounced"}).status(200)
	pl = f.do("GET", fmt.Sprintf("/api/v1/pledges/%d", p1), f.staff, nil).status(200)
	eq(t, "instalments after the void", allocation(pl), "[250.00/0.00/overdue 250.00/0.00/overdue 250.00/0.00/overdue 250.00/0.00/scheduled]")
	eq(t, "p1 after the void", agedItems(f.ageing(""), p1), []string{fmt.Sprintf("%d/1 250.00 135 91-180", p1),
		fmt.Sprintf("%d/2 250.00 76 31-90", p1), fmt.Sprintf("%d/3 250.00 15 1-30", p1), fmt.Sprintf("%d/4 250.00 0 current", p1)})
	eq(t, "p1 on a day the payment was live", agedItems(f.ageing("2026-05-01"), p1), []string{fmt.Sprintf("%d/3 125.00 0 current", p1),
		fmt.Sprintf("%d/4 250.00 0 current", p1)})
	checkAll("voided")

	// A new payment today, then a write-off of 200.00 today: from the last instalment backwards, counted once.
	f.pay(f.swiss, p1, "400.00", "EUR", "2026-06-15").status(201)
	before, beforeYesterday := f.progress(""), f.progress("?as_of=2026-06-14")
	w := f.do("POST", fmt.Sprintf("/api/v1/pledges/%d/write-off", p1), f.staff, map[string]any{"amount": "200.00", "reason": "Budget cut"}).status(200)
	eq(t, "written_off", w.str("written_off"), "200.00")
	eq(t, "written_off_usd", w.str("written_off_usd"), "222.23") // 600/0.9 = 666.67 before, 400/0.9 = 444.44 after
	eq(t, "outstanding_usd", w.str("outstanding_usd"), "444.44")
	eq(t, "instalments after the write-off", allocation(w), "[250.00/250.00/paid 250.00/150.00/overdue 250.00/0.00/overdue 250.00/0.00/scheduled]")
	after := f.progress("")
	fall := dec(t, before.str("outstanding_pledges")).Sub(dec(t, after.str("outstanding_pledges")))
	eq(t, "outstanding falls once", fall.StringFixed(2), "222.23")
	eq(t, "pledged falls once", dec(t, before.str("pledged")).Sub(dec(t, after.str("pledged"))).StringFixed(2), "222.23")
	eq(t, "paid unchanged", after.str("paid"), before.str("paid"))
	eq(t, "yesterday unchanged", f.progress("?as_of=2026-06-14").str("outstanding_pledges"), beforeYesterday.str("outstanding_pledges"))
	eq(t, "p1 today", agedItems(f.ageing(""), p1), []string{fmt.Sprintf("%d/2 100.00 76 31-90", p1),
		fmt.Sprintf("%d/3 250.00 15 1-30", p1), fmt.Sprintf("%d/4 50.00 0 current", p1)})
	// The day before, the voided payment was still live, and neither the new one nor the write-off was made.
	eq(t, "p1 the day before the write-off", agedItems(f.ageing("2026-06-14"), p1), []string{fmt.Sprintf("%d/3 125.00 14 1-30", p1),
		fmt.Sprintf("%d/4 250.00 0 current", p1)})
	checkAll("written off")

	// A reschedule keeps what was paid allocated; the new rows sum to amount - written_off.
	r := f.do("PUT", fmt.Sprintf("/api/v1/pledges/%d/schedule", p1), f.staff, map[string]any{"schedule": []any{
		map[string]any{"due_on": "2026-01-31", "amount": "400.00"}, map[string]any{"due_on": "2026-09-30", "amount": "200.00"},
		map[string]any{"due_on": "2026-12-31", "amount": "200.00"}}}).status(200)
	eq(t, "instalments after the reschedule", allocation(r), "[400.00/400.00/paid 200.00/0.00/scheduled 200.00/0.00/scheduled]")
	eq(t, "paid kept", r.str("paid"), "400.00")
	eq(t, "written_off kept", r.str("written_off"), "200.00")
	eq(t, "p1 rescheduled", agedItems(f.ageing(""), p1), []string{fmt.Sprintf("%d/2 200.00 0 current", p1), fmt.Sprintf("%d/3 200.00 0 current", p1)})
	checkAll("rescheduled")

	// The forecast: today 2026-06-15, from this month for 12 months.
	fc := f.do("GET", fmt.Sprintf("/api/v1/funds/%d/forecast", f.fund), f.staff, nil).status(200)
	eq(t, "from", fc.str("from"), "2026-06")
	eq(t, "overdue_usd", fc.str("overdue_usd"), "250.00") // p2's first instalment, due 2026-05-20
	eq(t, "months", forecastItems(fc), "[2026-06 250.00 1 2026-07 250.00 1 2026-08 250.00 1 2026-09 222.22 1 2026-10 0.00 0 2026-11 0.00 0 "+
		"2026-12 222.22 1 2027-01 0.00 0 2027-02 0.00 0 2027-03 0.00 0 2027-04 0.00 0 2027-05 0.00 0]")
	// Overdue + the months + what has no due date (p3's 500.00) = outstanding_pledges.
	sum := dec(t, fc.str("overdue_usd")).Add(dec(t, "500.00"))
	for _, it := range fc.items() {
		sum = sum.Add(dec(t, it["expected_usd"].(string)))
	}
	eq(t, "forecast sums to outstanding", sum.StringFixed(2), f.progress("").str("outstanding_pledges"))
	narrow := f.do("GET", fmt.Sprintf("/api/v1/funds/%d/forecast?from=2026-08&months=2", f.fund), f.staff, nil).status(200)
	eq(t, "a later window", forecastItems(narrow), "[2026-08 250.00 1 2026-09 222.22 1]")
	eq(t, "overdue whatever the window", narrow.str("overdue_usd"), "250.00")
	eq(t, "60 months", len(f.do("GET", "/api/v1/funds/resilience/forecast?from=2025-01&months=60", f.staff, nil).status(200).items()), 60)
	for _, bad := range []struct{ q, field string }{{"months=0", "months"}, {"months=61", "months"}, {"months=x", "months"},
		{"from=2026-13", "from"}, {"from=2026-6", "from"}, {"from=June", "from"}} {
		f.do("GET", "/api/v1/funds/resilience/forecast?"+bad.q, f.staff, nil).fails(422, "validation_failed", bad.field)
	}
	both := f.do("GET", "/api/v1/funds/resilience/forecast?from=x&months=99", f.staff, nil).fails(422, "validation_failed", "from")
	both.fails(422, "validation_failed", "months")
	f.do("GET", "/api/v1/funds/resilience/ageing?as_of=2026-02-30", f.staff, nil).fails(422, "validation_failed", "as_of")
	f.do("GET", "/api/v1/funds/nope/ageing", f.staff, nil).fails(404, "not_found", "")
	f.do("GET", "/api/v1/funds/nope/forecast", f.staff, nil).fails(404, "not_found", "")
	f.do("GET", "/api/v1/funds/resilience/ageing", "", nil).fails(401, "unauthorized", "")

	// The exports: ageing.csv and .xlsx carry the items; the pledges export the write-off.
	a = f.ageing("2026-06-14")
	csvRes := f.do("GET", "/api/v1/funds/resilience/ageing.csv?as_of=2026-06-14&bom=1", f.staff, nil).status(200)
	if !strings.HasPrefix(string(csvRes.raw), "\uFEFF") {
		t.Fatal("ageing.csv?bom=1 has no byte order mark")
	}
	csvRes.raw = []byte(strings.TrimPrefix(string(csvRes.raw), "\uFEFF"))
	rows := readCSV(t, csvRes)
	eq(t, "ageing.csv header", strings.Join(rows[0], ","),
		"pledge_id,donor_id,donor_name,reference,instalment_seq,due_on,days_overdue,outstanding,currency,outstanding_usd,bucket")
	eq(t, "ageing.csv rows", len(rows)-1, len(a.items()))
	eq(t, "ageing.csv sums", sumColumn(t, rows, "outstanding_usd", 0).StringFixed(2), f.progress("?as_of=2026-06-14").str("outstanding_pledges"))
	ref := slices.Index(rows[0], "reference")
	if !slices.ContainsFunc(rows[1:], func(r []string) bool { return r[ref] == "'=HYPERLINK(1)" }) {
		t.Fatal("ageing.csv does not neutralise a reference starting with =")
	}
	wb := workbook(t, f.do("GET", "/api/v1/funds/resilience/ageing.xlsx?as_of=2026-06-14&lang=fr", f.staff, nil))
	sheetRows, err := wb.GetRows("Ancienneté")
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "xlsx rows", len(sheetRows)-1, len(a.items()))
	usdCol := column(t, wb, "Ancienneté", "Restant dû (USD)")
	eq(t, "an amount is a number", dec(t, raw(t, wb, "Ancienneté", usdCol+"2")).StringFixed(2), a.items()[0]["outstanding_usd"])
	eq(t, "its format", numFmt(t, wb, "Ancienneté", usdCol+"2"), "#,##0.00")

	pls := readCSV(t, f.do("GET", fmt.Sprintf("/api/v1/exports/pledges.csv?fund_id=%d", f.fund), f.staff, nil))
	for _, r := range pls[1:] {
		if r[0] == fmt.Sprint(p1) {
			col := func(name string) string { return r[slices.Index(pls[0], name)] }
			eq(t, "export written_off", col("written_off"), "200.00")
			eq(t, "export written_off_usd", col("written_off_usd"), "222.23")
			eq(t, "export next_due_on", col("next_due_on"), "2026-09-30")
			eq(t, "export outstanding", col("outstanding"), "400.00")
			eq(t, "export outstanding_usd", col("outstanding_usd"), "444.44")
		}
	}
}

// The reports of issue 13 count a write-off once: FTS's outstanding part, IATI's
// pledged value, the printed report's outstanding table with its ageing.
func TestReportsCountWriteOffsOnce(t *testing.T) {
	f := ageingFixture(t)
	f.do("PATCH", fmt.Sprintf("/api/v1/funds/%d", f.fund), f.admin, map[string]any{"iati_identifier": "XM-DAC-47066-RF",
		"iati_reporting_org": map[string]any{"ref": "XM-DAC-47066", "type": "40", "name": "International Organization for Migration"}}).status(200)
	p1 := f.pledge(f.swiss, "1000.00", "EUR", "2026-01-01", "schedule", []any{
		map[string]any{"due_on": "2026-01-31", "amount": "500.00"}, map[string]any{"due_on": "2026-07-31", "amount": "500.00"}}).status(201).id()
	gone := f.pledge(f.morocco, "100.00", "USD", "2026-01-01", "due_on", "2026-03-01").status(201).id()
	f.pay(f.swiss, p1, "300.00", "EUR", "2026-02-01").status(201)
	f.do("POST", fmt.Sprintf("/api/v1/pledges/%d/write-off", p1), f.staff, map[string]any{"amount": "200.00", "reason": "Budget cut"}).status(200)
	f.do("POST", fmt.Sprintf("/api/v1/pledges/%d/write-off", gone), f.staff, map[string]any{"reason": "Will not pay"}).status(200)

	now := f.progress("")
	rows := readCSV(t, f.do("GET", fmt.Sprintf("/api/v1/exports/fts.csv?fund_id=%d", f.fund), f.staff, nil))
	byID := map[string][]string{}
	for _, r := range rows[1:] {
		byID[r[0]] = r
	}
	p1Row := byID[fmt.Sprintf("pledge-%d", p1)]
	eq(t, "FTS outstanding part", p1Row[6]+" "+p1Row[5], "500.00 555.56") // 1000 - 300 paid - 200 written off
	if _, ok := byID[fmt.Sprintf("pledge-%d", gone)]; ok {
		t.Fatal("FTS has a row for a pledge wholly written off")
	}
	eq(t, "FTS sums to paid + outstanding", sumColumn(t, rows, "amountUSD", 0).StringFixed(2),
		dec(t, now.str("paid")).Add(dec(t, now.str("outstanding_pledges"))).StringFixed(2))

	_, txs := parseIATI(t, f.do("GET", "/api/v1/funds/resilience/iati-activity.xml", "", nil))
	eq(t, "IATI pledged value less the write-off", txs[fmt.Sprintf("pledge-%d", p1)].Value.Amount, "800.00")
	if _, ok := txs[fmt.Sprintf("pledge-%d", gone)]; ok {
		t.Fatal("IATI has a transaction of 0 for a pledge wholly written off")
	}
	_, txs = parseIATI(t, f.do("GET", "/api/v1/funds/resilience/iati-activity.xml?as_of=2026-06-14", "", nil))
	eq(t, "IATI before the write-off", txs[fmt.Sprintf("pledge-%d", p1)].Value.Amount, "1000.00")
	eq(t, "IATI before the write-off, the other", txs[fmt.Sprintf("pledge-%d", gone)].Value.Amount, "100.00")

	for _, asOf := range []string{"2026-06-14", "2026-06-15"} {
		body := string(f.do("GET", "/funds/resilience/report?as_of="+asOf, f.staff, nil).status(200).raw)
		eq(t, "report outstanding as of "+asOf, strings.ReplaceAll(between(t, body, "outstanding-total"), ",", ""),
			f.progress("?as_of="+asOf).str("outstanding_pledges"))
		// p1's earliest open instalment was due 2026-01-31: 134 and 135 days before, in 91-180.
		if !strings.Contains(body, `2026-01-31 <span class="flag">91–180 days overdue</span>`) {
			t.Fatalf("as of %s the report lacks the ageing bucket beside the due date", asOf)
		}
	}
	fr := string(f.do("GET", "/funds/resilience/report?as_of=2026-06-15&lang=fr", f.staff, nil).status(200).raw)
	if !strings.Contains(fr, "91 à 180 jours de retard") {
		t.Fatal("the French report's bucket is not translated")
	}
}

// allocation writes a pledge answer's instalments as amount/paid/status.
func allocation(r *response) string {
	var out []string
	for _, v := range r.body["instalments"].([]any) {
		in := v.(map[string]any)
		out = append(out, fmt.Sprintf("%v/%v/%v", in["amount"], in["paid"], in["status"]))
	}
	return fmt.Sprint(out)
}

func forecastItems(r *response) string {
	var out []string
	for _, it := range r.items() {
		out = append(out, fmt.Sprint(it["period"], " ", it["expected_usd"], " ", it["instalments"]))
	}
	return fmt.Sprint(out)
}
