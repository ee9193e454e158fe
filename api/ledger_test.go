package api_test

import (
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// fixture is a fund with donors and rates, as staff would set it up.
type fixture struct {
	*env
	fund, morocco, swiss, anon int64
}

func newFixture(t *testing.T) *fixture { return fixtureOn(newEnv(t)) }

// fixtureOn sets the fixture up on a server (one with a store clock, say).
func fixtureOn(e *env) *fixture {
	f := &fixture{env: e}
	f.fund = e.do("POST", "/api/v1/funds", e.admin, map[string]any{"code": "resilience", "name": "Resilience Fund",
		"organization": "IOM", "target_usd": "1000000.00", "opens_on": "2024-07-01"}).status(201).id()
	f.morocco = e.do("POST", "/api/v1/donors", e.staff, map[string]any{"name": "Kingdom of Morocco", "kind": "government", "country_code": "MA"}).status(201).id()
	f.swiss = e.do("POST", "/api/v1/donors", e.staff, map[string]any{"name": "Swiss Foundation", "kind": "foundation", "country_code": "CH"}).status(201).id()
	f.anon = e.do("POST", "/api/v1/donors", e.staff, map[string]any{"name": "Jane Secret", "kind": "individual", "anonymous": true,
		"country_code": "LU"}).status(201).id()
	for _, r := range []struct{ cur, on, rate string }{
		{"EUR", "2024-01-01", "0.92"}, {"EUR", "2024-07-01", "0.9"}, {"CHF", "2024-01-01", "0.88"},
		{"JPY", "2024-01-01", "150"}, {"KWD", "2024-01-01", "0.307"},
	} {
		e.do("POST", "/api/v1/exchange-rates", e.staff, map[string]any{"currency": r.cur, "effective_on": r.on,
			"units_per_usd": r.rate, "source": "UN operational rate"}).status(201)
	}
	return f
}

func (f *fixture) pledge(donor int64, amount, cur, on string, extra ...any) *response {
	body := map[string]any{"fund_id": f.fund, "donor_id": donor, "amount": amount, "currency": cur, "pledged_on": on}
	for i := 0; i+1 < len(extra); i += 2 {
		body[extra[i].(string)] = extra[i+1]
	}
	return f.do("POST", "/api/v1/pledges", f.staff, body)
}

func (f *fixture) pay(donor int64, pledge any, amount, cur, on string, headers ...string) *response {
	body := map[string]any{"fund_id": f.fund, "donor_id": donor, "pledge_id": pledge, "amount": amount, "currency": cur, "received_on": on}
	return f.do("POST", "/api/v1/contributions", f.staff, body, headers...)
}

func (f *fixture) progress(query string) *response {
	return f.do("GET", fmt.Sprintf("/api/v1/funds/%d/progress%s", f.fund, query), "", nil).status(200)
}

func eq(t *testing.T, what string, got any, want any) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

func TestPledgeLifecycleAndProgress(t *testing.T) {
	f := newFixture(t)
	// EUR 100,000.00 pledged on 2024-08-01: the rate in force is 0.9 (from 2024-07-01).
	p := f.pledge(f.swiss, "100000.00", "EUR", "2024-08-01", "due_on", "2030-12-31", "stage", "commitment").status(201)
	eq(t, "exchange_rate", p.str("exchange_rate"), "0.9")
	eq(t, "amount_usd", p.str("amount_usd"), "111111.11")
	eq(t, "status", p.str("status"), "open")
	eq(t, "earmarking", p.str("earmarking"), "unearmarked")
	eq(t, "outstanding_usd", p.str("outstanding_usd"), "111111.11")
	pid := p.id()

	// A payment of EUR 33,333.33 received 2024-09-15 at the rate given, 0.91.
	c := f.do("POST", "/api/v1/contributions", f.staff, map[string]any{"pledge_id": pid, "amount": 33333.33,
		"received_on": "2024-09-15", "exchange_rate": "0.91"}).status(201)
	eq(t, "fund from pledge", c.body["fund_id"], f.fund)
	eq(t, "currency from pledge", c.str("currency"), "EUR")
	eq(t, "amount_usd", c.str("amount_usd"), "36630.03") // 33333.33 / 0.91 = 36630.0329...
	p = f.do("GET", fmt.Sprintf("/api/v1/pledges/%d", pid), f.staff, nil).status(200)
	eq(t, "paid", p.str("paid"), "33333.33")
	eq(t, "outstanding", p.str("outstanding"), "66666.67")
	eq(t, "outstanding_usd", p.str("outstanding_usd"), "74074.08") // 66666.67 / 0.9 = 74074.0777...
	eq(t, "status", p.str("status"), "partially_paid")

	// Morocco pays USD 250,000.50 without a pledge, first, on 2024-07-29.
	f.pay(f.morocco, nil, "250000.50", "USD", "2024-07-29").status(201)
	// An anonymous donor gives JPY 1,500,000 (rate 150).
	f.pay(f.anon, nil, "1500000", "JPY", "2024-10-01").status(201)

	pr := f.progress("")
	eq(t, "paid", pr.str("paid"), "296630.53") // 36630.03 + 250000.50 + 10000.00
	eq(t, "outstanding_pledges", pr.str("outstanding_pledges"), "74074.08")
	eq(t, "pledged", pr.str("pledged"), "370704.61")
	eq(t, "percent_paid", pr.str("percent_paid"), "29.66")
	eq(t, "percent_pledged", pr.str("percent_pledged"), "37.07")
	eq(t, "paid_unearmarked", pr.str("paid_unearmarked"), "296630.53")
	eq(t, "donor_count", pr.body["donor_count"], 3)
	eq(t, "contribution_count", pr.body["contribution_count"], 3)
	eq(t, "currency", pr.str("currency"), "USD")
	eq(t, "target", pr.str("target"), "1000000.00")
	first := pr.body["first_contribution"].(map[string]any)
	eq(t, "first contributor", first["donor"], "Kingdom of Morocco")
	eq(t, "first received_on", first["received_on"], "2024-07-29")

	// As of 2024-08-31: only Morocco paid, and the pledge is wholly outstanding.
	old := f.progress("?as_of=2024-08-31")
	eq(t, "paid as of", old.str("paid"), "250000.50")
	eq(t, "outstanding as of", old.str("outstanding_pledges"), "111111.11")
	eq(t, "donors as of", old.body["donor_count"], 2)
	eq(t, "as_of", old.str("as_of"), "2024-08-31")
	eq(t, "before anything", f.progress("?as_of=2024-01-01").str("pledged"), "0.00")

	// Paying the rest fulfils the pledge; more than outstanding is refused.
	before := f.counts()
	f.pay(f.swiss, pid, "66666.68", "EUR", "2024-10-01").fails(422, "validation_failed", "amount")
	f.unchanged(before, "an overpayment")
	f.pay(f.swiss, pid, "66666.67", "EUR", "2024-10-01").status(201)
	p = f.do("GET", fmt.Sprintf("/api/v1/pledges/%d", pid), f.staff, nil).status(200)
	eq(t, "status", p.str("status"), "fulfilled")
	eq(t, "outstanding_usd", p.str("outstanding_usd"), "0.00")
	eq(t, "fulfilled filter", len(f.do("GET", "/api/v1/pledges?status=fulfilled", f.staff, nil).status(200).items()), 1)
	eq(t, "open filter", len(f.do("GET", "/api/v1/pledges?status=open", f.staff, nil).status(200).items()), 0)
}

func TestPledgeStatusesAndCancel(t *testing.T) {
	f := newFixture(t)
	overdue := f.pledge(f.swiss, "1000.00", "CHF", "2024-01-10", "due_on", "2024-06-30").status(201)
	eq(t, "overdue", overdue.str("status"), "overdue")
	p := f.pledge(f.morocco, "5000.00", "USD", "2024-02-01").status(201)
	f.pay(f.morocco, p.id(), "2000.00", "USD", "2024-03-01").status(201)
	before := f.counts()
	f.do("POST", fmt.Sprintf("/api/v1/pledges/%d/cancel", p.id()), f.staff, map[string]any{}).fails(422, "validation_failed", "reason")
	f.do("POST", fmt.Sprintf("/api/v1/pledges/%d/cancel", p.id()), f.staff, map[string]any{"reason": "  "}).fails(422, "validation_failed", "reason")
	f.unchanged(before, "a cancel without a reason")
	c := f.do("POST", fmt.Sprintf("/api/v1/pledges/%d/cancel", p.id()), f.staff, map[string]any{"reason": "Donor withdrew"}).status(200)
	eq(t, "status", c.str("status"), "cancelled")
	eq(t, "paid stays paid", c.str("paid"), "2000.00")
	eq(t, "outstanding", c.str("outstanding"), "0.00")
	eq(t, "cancel_reason", c.str("cancel_reason"), "Donor withdrew")
	f.do("POST", fmt.Sprintf("/api/v1/pledges/%d/cancel", p.id()), f.staff, map[string]any{"reason": "again"}).fails(409, "conflict", "")
	f.pay(f.morocco, p.id(), "1.00", "USD", "2024-03-02").fails(422, "validation_failed", "pledge_id")
	pr := f.progress("")
	eq(t, "paid", pr.str("paid"), "2000.00")
	eq(t, "outstanding only the overdue CHF pledge", pr.str("outstanding_pledges"), "1136.36") // 1000 / 0.88
	eq(t, "cancelled stays listed", len(f.do("GET", "/api/v1/pledges?status=cancelled", f.staff, nil).status(200).items()), 1)
	eq(t, "still counted before the cancel", f.progress("?as_of="+time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02")).str("outstanding_pledges"), "4136.36")
}

func TestContributionRulesAgainstPledge(t *testing.T) {
	f := newFixture(t)
	pid := f.pledge(f.swiss, "1000.00", "EUR", "2024-08-01").status(201).id()
	before := f.counts()
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"other fund", map[string]any{"pledge_id": pid, "fund_id": f.fund + 99, "amount": "1", "received_on": "2024-09-01"}, "fund_id"},
		{"other donor", map[string]any{"pledge_id": pid, "donor_id": f.morocco, "amount": "1", "received_on": "2024-09-01"}, "donor_id"},
		{"other currency", map[string]any{"pledge_id": pid, "currency": "CHF", "amount": "1", "received_on": "2024-09-01"}, "currency"},
		{"over outstanding", map[string]any{"pledge_id": pid, "amount": "1000.01", "received_on": "2024-09-01"}, "amount"},
		{"unknown pledge", map[string]any{"pledge_id": 999999, "fund_id": f.fund, "donor_id": f.swiss, "amount": "1", "currency": "EUR", "received_on": "2024-09-01"}, "pledge_id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f.do("POST", "/api/v1/contributions", f.staff, c.body).fails(422, "validation_failed", c.field)
		})
	}
	f.unchanged(before, "refused contributions")
}

func TestValidationWritesNothing(t *testing.T) {
	f := newFixture(t)
	future := time.Now().UTC().AddDate(0, 0, 2).Format("2006-01-02")
	type c = map[string]any
	base := func(over c) c {
		b := c{"fund_id": f.fund, "donor_id": f.morocco, "amount": "10.00", "currency": "EUR", "received_on": "2024-09-01"}
		for k, v := range over {
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
		}
		return b
	}
	invalid := []struct {
		name  string
		body  c
		field string
	}{
		{"EUR with 3 decimals", base(c{"amount": "10.001"}), "amount"},
		{"JPY with decimals", base(c{"amount": "10.5", "currency": "JPY"}), "amount"},
		{"KWD with 4 decimals", base(c{"amount": "1.0001", "currency": "KWD"}), "amount"},
		{"zero", base(c{"amount": "0"}), "amount"},
		{"negative", base(c{"amount": "-5.00"}), "amount"},
		{"10^15", base(c{"amount": "1000000000000000"}), "amount"},
		{"exponent", base(c{"amount": "1e3"}), "amount"},
		{"thousands separator", base(c{"amount": "1,000.00"}), "amount"},
		{"amount as bool", base(c{"amount": true}), "amount"},
		{"missing amount", base(c{"amount": nil}), "amount"},
		{"unknown currency", base(c{"currency": "XYZ"}), "currency"},
		{"no rate for the date", base(c{"currency": "CHF", "received_on": "2023-06-01"}), "exchange_rate"},
		{"future received_on", base(c{"received_on": future}), "received_on"},
		{"malformed date", base(c{"received_on": "2024-02-30"}), "received_on"},
		{"date with time", base(c{"received_on": "2024-09-01T00:00:00Z"}), "received_on"},
		{"unknown fund", base(c{"fund_id": 424242}), "fund_id"},
		{"unknown donor", base(c{"donor_id": 424242}), "donor_id"},
		{"fund_id as text", base(c{"fund_id": "abc"}), "fund_id"},
		{"unknown field", base(c{"amout": "1"}), "amout"},
		{"bad earmarking", base(c{"earmarking": "sort of"}), "earmarking"},
		{"rate for USD", base(c{"currency": "USD", "exchange_rate": "1.1"}), "exchange_rate"},
		{"USD value of 10^15 or more", base(c{"amount": "100000000000000", "exchange_rate": "0.0001"}), "exchange_rate"},
		{"USD value of 10^15 or more names amount", base(c{"amount": "100000000000000", "exchange_rate": "0.0001"}), "amount"},
		{"too many minor units for int64", base(c{"amount": "999999999999999.9999", "currency": "CLF"}), "amount"},
	}
	before := f.counts()
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do("POST", "/api/v1/contributions", f.staff, tc.body).fails(422, "validation_failed", tc.field)
			if tc.name == "no rate for the date" && !(strings.Contains(string(r.raw), "CHF") && strings.Contains(string(r.raw), "2023-06-01")) {
				t.Fatalf("the message must name the currency and the date: %s", r.raw)
			}
		})
	}
	malformed := []struct{ name, body string }{
		{"not JSON", "amount=10"}, {"array", `[1,2]`}, {"empty", ""}, {"trailing data", `{"amount":"1"} {}`},
		{"duplicate key", `{"amount":"1","amount":"2"}`}, {"string", `"hello"`},
	}
	for _, tc := range malformed {
		t.Run(tc.name, func(t *testing.T) {
			f.do("POST", "/api/v1/contributions", f.staff, tc.body).fails(400, "invalid_json", "")
		})
	}
	f.unchanged(before, "invalid requests")
	// Other writes validate their fields too.
	f.do("POST", "/api/v1/pledges", f.staff, c{"fund_id": f.fund, "donor_id": f.morocco, "amount": "5", "currency": "USD",
		"pledged_on": future}).fails(422, "validation_failed", "pledged_on")
	f.do("POST", "/api/v1/funds", f.admin, c{"code": "Not A Slug", "name": "x", "target_usd": "1"}).fails(422, "validation_failed", "code")
	f.do("POST", "/api/v1/funds", f.admin, c{"code": "x-fund", "name": "x", "target_usd": "0"}).fails(422, "validation_failed", "target_usd")
	f.do("POST", "/api/v1/funds", f.admin, c{"code": "resilience", "name": "x", "target_usd": "1"}).fails(409, "conflict", "")
	f.do("POST", "/api/v1/donors", f.staff, c{"name": "x", "kind": "alien"}).fails(422, "validation_failed", "kind")
	f.do("POST", "/api/v1/donors", f.staff, c{"name": "x", "kind": "ngo", "country_code": "XX"}).fails(422, "validation_failed", "country_code")
	f.do("POST", "/api/v1/donors", f.staff, c{"name": "x\u202eevil", "kind": "ngo"}).fails(422, "validation_failed", "name")
	f.do("POST", "/api/v1/exchange-rates", f.staff, c{"currency": "EUR", "effective_on": "2024-01-01", "units_per_usd": "0.93"}).fails(409, "conflict", "")
	f.do("POST", "/api/v1/exchange-rates", f.staff, c{"currency": "EUR", "effective_on": "2024-01-02", "units_per_usd": "-1"}).fails(422, "validation_failed", "units_per_usd")
	f.do("POST", "/api/v1/users", f.admin, c{"email": "new@example.org", "password": "short", "role": "staff"}).fails(422, "validation_failed", "password")
	f.unchanged(before, "invalid requests")
}

func TestIdempotentContributions(t *testing.T) {
	f := newFixture(t)
	first := f.pay(f.morocco, nil, "100.00", "USD", "2024-09-01", "Idempotency-Key", "k-1").status(201)
	again := f.pay(f.morocco, nil, "100.00", "USD", "2024-09-01", "Idempotency-Key", "k-1").status(201)
	eq(t, "replayed body", string(again.raw), string(first.raw))
	eq(t, "replayed header", again.header.Get("Idempotent-Replayed"), "true")
	f.pay(f.morocco, nil, "200.00", "USD", "2024-09-01", "Idempotency-Key", "k-1").fails(409, "conflict", "")
	eq(t, "rows", len(f.do("GET", "/api/v1/contributions", f.staff, nil).status(200).items()), 1)
	eq(t, "paid", f.progress("").str("paid"), "100.00")
}

func TestVoidLeavesTotalsAndStaysListed(t *testing.T) {
	f := newFixture(t)
	pid := f.pledge(f.swiss, "500.00", "CHF", "2024-08-01").status(201).id()
	cid := f.pay(f.swiss, pid, "200.00", "CHF", "2024-09-01").status(201).id()
	f.pay(f.morocco, nil, "50.00", "USD", "2024-09-02").status(201)
	f.do("POST", fmt.Sprintf("/api/v1/contributions/%d/void", cid), f.staff, map[string]any{"reason": ""}).fails(422, "validation_failed", "reason")
	v := f.do("POST", fmt.Sprintf("/api/v1/contributions/%d/void", cid), f.staff, map[string]any{"reason": "Bank returned the transfer"}).status(200)
	eq(t, "voided", v.body["voided"], true)
	eq(t, "void_reason", v.str("void_reason"), "Bank returned the transfer")
	f.do("POST", fmt.Sprintf("/api/v1/contributions/%d/void", cid), f.staff, map[string]any{"reason": "again"}).fails(409, "conflict", "")
	pr := f.progress("")
	eq(t, "paid", pr.str("paid"), "50.00")
	eq(t, "outstanding back", pr.str("outstanding_pledges"), "568.18") // 500 / 0.88
	eq(t, "count", pr.body["contribution_count"], 1)
	list := f.do("GET", fmt.Sprintf("/api/v1/contributions?fund_id=%d", f.fund), f.staff, nil).status(200).items()
	eq(t, "voided stays listed", len(list), 2)
	eq(t, "pledge owed again", f.do("GET", fmt.Sprintf("/api/v1/pledges/%d", pid), f.staff, nil).status(200).str("status"), "open")
	f.do("DELETE", fmt.Sprintf("/api/v1/contributions/%d", cid), f.staff, nil).fails(405, "method_not_allowed", "")
	f.do("DELETE", fmt.Sprintf("/api/v1/pledges/%d", pid), f.staff, nil).fails(405, "method_not_allowed", "")
}

func TestPublicBreakdownTimelineAndMasking(t *testing.T) {
	f := newFixture(t)
	f.pay(f.anon, nil, "300.00", "USD", "2024-07-30").status(201)
	f.pay(f.morocco, nil, "100.00", "USD", "2024-08-05").status(201)
	f.pledge(f.swiss, "88.00", "CHF", "2024-08-10").status(201)
	items := f.do("GET", "/api/v1/funds/resilience/donors", "", nil).status(200).items()
	eq(t, "donors", len(items), 3)
	eq(t, "masked name", items[0]["name"], "Anonymous donor")
	eq(t, "masked country", items[0]["country_code"], "")
	eq(t, "share", items[0]["share_of_paid_percent"], "75.00")
	eq(t, "swiss outstanding", items[2]["outstanding"], "100.00")
	eq(t, "swiss pledged", items[2]["pledged"], "100.00")
	if raw := string(f.do("GET", "/api/v1/funds/resilience/donors", "", nil).raw) + string(f.do("GET", "/api/v1/funds/resilience/donors.csv", "", nil).raw); strings.Contains(raw, "Jane") || strings.Contains(raw, "LU") {
		t.Fatal("an anonymous donor's name leaked")
	}
	eq(t, "first contributor masked", f.progress("").body["first_contribution"].(map[string]any)["donor"], "Anonymous donor")
	csvBody := f.do("GET", "/api/v1/funds/resilience/donors.csv", "", nil).status(200)
	rows, err := csv.NewReader(strings.NewReader(string(csvBody.raw))).ReadAll()
	if err != nil || len(rows) != 4 || rows[0][0] != "name" || rows[1][0] != "Anonymous donor" {
		t.Fatalf("donors.csv: %v %q", err, rows)
	}
	tl := f.do("GET", "/api/v1/funds/resilience/timeline?interval=month", "", nil).status(200).items()
	eq(t, "months", len(tl), 2)
	eq(t, "july", fmt.Sprintln(tl[0]["period"], tl[0]["paid"], tl[0]["cumulative_paid"]), "2024-07 300.00 300.00\n")
	eq(t, "august", fmt.Sprintln(tl[1]["period"], tl[1]["paid"], tl[1]["cumulative_paid"], tl[1]["pledged"], tl[1]["cumulative_pledged"]),
		"2024-08 100.00 400.00 200.00 500.00\n")
	eq(t, "days", len(f.do("GET", "/api/v1/funds/resilience/timeline?interval=day", "", nil).status(200).items()), 3)
	// A voided contribution leaves the period it was received in; no period goes negative.
	cid := f.pay(f.morocco, nil, "40.00", "USD", "2024-07-31").status(201).id()
	f.do("POST", fmt.Sprintf("/api/v1/contributions/%d/void", cid), f.staff, map[string]any{"reason": "duplicate"}).status(200)
	tl = f.do("GET", "/api/v1/funds/resilience/timeline?interval=month", "", nil).status(200).items()
	eq(t, "months after a void", len(tl), 2)
	eq(t, "july after a void", fmt.Sprintln(tl[0]["paid"], tl[0]["cumulative_paid"]), "300.00 300.00\n")
	f.do("GET", "/api/v1/funds/resilience/timeline?interval=year", "", nil).fails(422, "validation_failed", "interval")
	f.do("GET", "/api/v1/funds/nope/progress", "", nil).fails(404, "not_found", "")
	// Conditional requests.
	r := f.do("GET", "/api/v1/funds/resilience/progress", "", nil).status(200)
	f.do("GET", "/api/v1/funds/resilience/progress", "", nil, "If-None-Match", r.header.Get("ETag")).status(304)
}

func TestExportsNeutraliseFormulas(t *testing.T) {
	f := newFixture(t)
	d := f.do("POST", "/api/v1/donors", f.staff, map[string]any{"name": "=HYPERLINK(\"http://x\")", "kind": "other"}).status(201).id()
	f.do("POST", "/api/v1/contributions", f.staff, map[string]any{"fund_id": f.fund, "donor_id": d, "amount": "12.34",
		"currency": "EUR", "received_on": "2024-09-01", "reference": "+cmd", "notes": "@SUM(A1)"}).status(201)
	f.pledge(d, "10", "KWD", "2024-09-01", "reference", "-2+3").status(201)
	f.do("GET", "/api/v1/exports/contributions.csv", "", nil).fails(401, "unauthorized", "")
	res := f.do("GET", "/api/v1/exports/contributions.csv?fund_id="+fmt.Sprint(f.fund), f.staff, nil).status(200)
	if !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("content type %q", res.header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(string(res.raw))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := strings.Join(rows[0], ",")
	for _, col := range []string{"id", "fund_code", "donor_name", "donor_country", "pledge_id", "received_on", "amount", "currency",
		"exchange_rate", "amount_usd", "reference", "voided", "void_reason", "created_at"} {
		if !strings.Contains(","+head+",", ","+col+",") {
			t.Fatalf("contributions.csv lacks column %s: %s", col, head)
		}
	}
	row := map[string]string{}
	for i, h := range rows[0] {
		row[h] = rows[1][i]
	}
	eq(t, "donor_name", row["donor_name"], "'=HYPERLINK(\"http://x\")")
	eq(t, "reference", row["reference"], "'+cmd")
	eq(t, "notes", row["notes"], "'@SUM(A1)")
	eq(t, "amount", row["amount"], "12.34")
	eq(t, "amount_usd", row["amount_usd"], "13.71") // 12.34 / 0.9 (in force from 2024-07-01) = 13.7111...
	pres := f.do("GET", "/api/v1/exports/pledges.csv", f.staff, nil).status(200)
	prow, _ := csv.NewReader(strings.NewReader(string(pres.raw))).ReadAll()
	if len(prow) != 2 || !strings.Contains(string(pres.raw), "'-2+3") || !strings.Contains(string(pres.raw), "10.000") {
		t.Fatalf("pledges.csv: %s", pres.raw)
	}
}

func TestAuthAndRoles(t *testing.T) {
	f := newFixture(t)
	unknown := f.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "nobody@example.org", "password": password}).fails(401, "unauthorized", "")
	wrong := f.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "staff@example.org", "password": "wrong password!"}).fails(401, "unauthorized", "")
	eq(t, "same answer", string(unknown.raw), string(wrong.raw))
	login := f.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "staff@example.org", "password": password}).status(200)
	user := login.body["user"].(map[string]any)
	eq(t, "role", user["role"], "staff")
	cookie := login.header.Get("Set-Cookie")
	if !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "fundtracker_session=") {
		t.Fatalf("cookie %q", cookie)
	}
	forbidden := []struct{ method, path string }{
		{"POST", "/api/v1/funds"}, {"PATCH", fmt.Sprintf("/api/v1/funds/%d", f.fund)}, {"POST", "/api/v1/users"}, {"GET", "/api/v1/audit"},
	}
	for _, c := range forbidden {
		f.do(c.method, c.path, f.staff, map[string]any{}).fails(403, "forbidden", "")
	}
	unauthorized := []struct{ method, path string }{
		{"POST", "/api/v1/donors"}, {"GET", "/api/v1/donors"}, {"POST", "/api/v1/pledges"}, {"GET", "/api/v1/contributions"},
		{"POST", "/api/v1/exchange-rates"}, {"GET", "/api/v1/exports/pledges.csv"}, {"POST", "/api/v1/auth/logout"},
	}
	for _, c := range unauthorized {
		f.do(c.method, c.path, "", map[string]any{}).fails(401, "unauthorized", "")
	}
	f.do("GET", "/api/v1/donors", "not-a-token", nil).fails(401, "unauthorized", "")
	public := []string{"/api/v1/funds", "/api/v1/funds/resilience", fmt.Sprintf("/api/v1/funds/%d/progress", f.fund),
		"/api/v1/funds/resilience/donors", "/api/v1/funds/resilience/timeline", "/healthz"}
	for _, p := range public {
		f.do("GET", p, "", nil).status(200)
	}
	token := login.str("token")
	f.do("POST", "/api/v1/auth/logout", token, nil).status(204)
	f.do("GET", "/api/v1/donors", token, nil).fails(401, "unauthorized", "")
}

func TestFundsAndAudit(t *testing.T) {
	f := newFixture(t)
	got := f.do("GET", "/api/v1/funds/resilience", "", nil).status(200)
	eq(t, "by code", got.id(), f.fund)
	eq(t, "by id", f.do("GET", fmt.Sprintf("/api/v1/funds/%d", f.fund), "", nil).status(200).str("code"), "resilience")
	up := f.do("PATCH", fmt.Sprintf("/api/v1/funds/%d", f.fund), f.admin, map[string]any{"target_usd": "2000000"}).status(200)
	eq(t, "target", up.str("target_usd"), "2000000.00")
	eq(t, "name kept", up.str("name"), "Resilience Fund")
	audit := f.do("GET", fmt.Sprintf("/api/v1/audit?entity=fund&entity_id=%d", f.fund), f.admin, nil).status(200).items()
	eq(t, "fund audit entries", len(audit), 2)
	eq(t, "newest first", audit[0]["action"], "update")
	eq(t, "actor", audit[0]["actor"], "admin@example.org")
	before := audit[0]["before"].(map[string]any)
	after := audit[0]["after"].(map[string]any)
	eq(t, "before", before["target_usd"], "1000000.00")
	eq(t, "after", after["target_usd"], "2000000.00")
	// Paging: limit and cursor walk every donor once.
	seen := map[any]bool{}
	path := "/api/v1/donors?limit=2"
	for path != "" {
		page := f.do("GET", path, f.staff, nil).status(200)
		for _, it := range page.items() {
			seen[it["id"]] = true
		}
		next, _ := page.body["next"].(string)
		path = ""
		if next != "" {
			path = "/api/v1/donors?limit=2&cursor=" + next
		}
	}
	eq(t, "donors walked", len(seen), 3)
	f.do("GET", "/api/v1/donors?limit=0", f.staff, nil).fails(422, "validation_failed", "limit")
	f.do("GET", "/api/v1/donors?cursor=garbage", f.staff, nil).fails(422, "validation_failed", "cursor")
}

// TestSumsAreExact: many small payments in three currencies sum to the cent.
func TestSumsAreExact(t *testing.T) {
	f := newFixture(t)
	want := decimal.Zero
	for i := 0; i < 60; i++ {
		cur, amount := []string{"EUR", "KWD", "USD"}[i%3], []string{"0.01", "0.004", "0.10"}[i%3]
		c := f.pay(f.morocco, nil, amount, cur, "2024-09-01").status(201)
		want = want.Add(decimal.RequireFromString(c.str("amount_usd")))
	}
	eq(t, "paid", f.progress("").str("paid"), want.StringFixed(2))
}

var _ = time.Now
