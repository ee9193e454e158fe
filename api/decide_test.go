package api_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fundtracker/fundtracker/api"
	"github.com/fundtracker/fundtracker/store/storetest"
)

// Issue 10: every problem in one answer, the 10^15 bound on totals, USD
// values of 0.00, and PATCH bodies with null or with no change.

func TestOneAnswerNamesEveryProblem(t *testing.T) {
	f := newFixture(t)
	before := f.counts()
	// An unknown fund, a currency with no rate in force on the day and a bad
	// earmarking: today's client learns all three at once.
	r := f.do("POST", "/api/v1/contributions", f.staff, map[string]any{"fund_id": f.fund + 99, "donor_id": f.morocco,
		"amount": "10.00", "currency": "CHF", "received_on": "2023-06-01", "earmarking": "sort of"}).fails(422, "validation_failed", "fund_id")
	for _, field := range []string{"exchange_rate", "earmarking"} {
		r.fails(422, "validation_failed", field)
	}
	f.do("POST", "/api/v1/pledges", f.staff, map[string]any{"fund_id": f.fund, "donor_id": f.morocco + 99, "amount": "5",
		"currency": "CHF", "pledged_on": "2023-06-01"}).fails(422, "validation_failed", "donor_id").fails(422, "validation_failed", "exchange_rate")
	f.unchanged(before, "refused writes")
}

func TestContributionWorthNothingInUSD(t *testing.T) {
	f := newFixture(t)
	before := f.counts()
	f.pay(f.morocco, nil, "0.001", "KWD", "2024-09-01").fails(422, "validation_failed", "amount") // 0.0033 USD
	f.do("POST", "/api/v1/contributions", f.staff, map[string]any{"fund_id": f.fund, "donor_id": f.morocco, "amount": "0.01",
		"currency": "EUR", "exchange_rate": "3", "received_on": "2024-09-01"}).fails(422, "validation_failed", "amount")
	f.unchanged(before, "contributions worth 0.00 USD")
	eq(t, "0.004 KWD is 0.01 USD", f.pay(f.morocco, nil, "0.004", "KWD", "2024-09-01").status(201).str("amount_usd"), "0.01")
}

func TestTotalsStayBelow10e15(t *testing.T) {
	f := newFixture(t)
	pid := f.pledge(f.morocco, "999999999999999.99", "USD", "2024-07-29").status(201).id()
	before := f.counts()
	// Pledged (paid + outstanding) would reach 10^15 USD: for the fund, the donor and the currency.
	f.pay(f.swiss, nil, "0.01", "USD", "2024-08-01").fails(422, "validation_failed", "amount")
	f.pledge(f.swiss, "1", "USD", "2024-08-01").fails(422, "validation_failed", "amount")
	f.pay(f.swiss, nil, "1", "EUR", "2024-08-01").fails(422, "validation_failed", "amount")
	f.unchanged(before, "writes past 10^15")
	// Paying the pledge moves outstanding to paid: the total stays where it was.
	f.pay(f.morocco, pid, "500000000000000", "USD", "2024-08-01").status(201)
	p := f.progress("")
	eq(t, "paid", p.str("paid"), "500000000000000.00")
	eq(t, "outstanding", p.str("outstanding_pledges"), "499999999999999.99")
	eq(t, "pledged", p.str("pledged"), "999999999999999.99")
	for _, path := range []string{"/donors", "/timeline"} {
		f.do("GET", fmt.Sprintf("/api/v1/funds/%d%s", f.fund, path), "", nil).status(200)
	}
}

func TestPatchNullAndNoChange(t *testing.T) {
	f := newFixture(t)
	pid := f.pledge(f.morocco, "1000", "USD", "2024-07-29").status(201).id()
	before := f.counts()
	for _, tc := range []struct {
		path  string
		body  map[string]any
		field string
	}{
		{fmt.Sprintf("/api/v1/pledges/%d", pid), map[string]any{"stage": nil}, "stage"},
		{fmt.Sprintf("/api/v1/pledges/%d", pid), map[string]any{"Earmarking": nil, "notes": "x"}, "earmarking"},
		{fmt.Sprintf("/api/v1/funds/%d", f.fund), map[string]any{"name": nil}, "name"},
		{fmt.Sprintf("/api/v1/funds/%d", f.fund), map[string]any{"target_usd": nil}, "target_usd"},
		{fmt.Sprintf("/api/v1/donors/%d", f.morocco), map[string]any{"kind": nil}, "kind"},
		{fmt.Sprintf("/api/v1/donors/%d", f.morocco), map[string]any{"name": nil}, "name"},
		{"/api/v1/users/1", map[string]any{"active": nil}, "active"},
	} {
		token := f.staff
		if strings.Contains(tc.path, "/funds/") || strings.Contains(tc.path, "/users/") {
			token = f.admin
		}
		f.do("PATCH", tc.path, token, tc.body).fails(422, "validation_failed", tc.field)
	}
	f.unchanged(before, "PATCH with null")
	// A PATCH that changes nothing answers the record and writes no audit row.
	p := f.do("PATCH", fmt.Sprintf("/api/v1/pledges/%d", pid), f.staff, map[string]any{"stage": "pledge", "earmarking": "unearmarked"}).status(200)
	eq(t, "pledge answered", p.id(), pid)
	eq(t, "fund answered", f.do("PATCH", fmt.Sprintf("/api/v1/funds/%d", f.fund), f.admin, map[string]any{"target_usd": "1000000"}).status(200).str("code"), "resilience")
	eq(t, "donor answered", f.do("PATCH", fmt.Sprintf("/api/v1/donors/%d", f.morocco), f.staff, map[string]any{"kind": "government"}).status(200).str("name"), "Kingdom of Morocco")
	eq(t, "user answered", f.do("PATCH", "/api/v1/users/1", f.admin, map[string]any{"role": "admin", "active": true}).status(200).str("role"), "admin")
	f.unchanged(before, "PATCH that changes nothing")
	// null clears an optional date (it is not ignored).
	due := f.do("POST", "/api/v1/pledges", f.staff, map[string]any{"fund_id": f.fund, "donor_id": f.morocco, "amount": "5", "currency": "USD",
		"pledged_on": "2024-07-29", "due_on": "2024-12-31"}).status(201)
	if r := f.do("PATCH", fmt.Sprintf("/api/v1/pledges/%d", due.id()), f.staff, map[string]any{"due_on": nil}).status(200); r.body["due_on"] != nil {
		t.Errorf("due_on: null left %v", r.body["due_on"])
	}
	f.do("PATCH", fmt.Sprintf("/api/v1/funds/%d", f.fund), f.admin, map[string]any{"closes_on": "2030-12-31"}).status(200)
	if r := f.do("PATCH", fmt.Sprintf("/api/v1/funds/%d", f.fund), f.admin, map[string]any{"closes_on": nil}).status(200); r.body["closes_on"] != nil {
		t.Errorf("closes_on: null left %v", r.body["closes_on"])
	}
	before = f.counts()
	// A real change is audited once.
	eq(t, "stage", f.do("PATCH", fmt.Sprintf("/api/v1/pledges/%d", pid), f.staff, map[string]any{"stage": "commitment"}).status(200).str("stage"), "commitment")
	eq(t, "one audit row", f.counts()["audit_events"], before["audit_events"]+1)
}

// TestMetricsPoolFigures: /metrics reports each pool through client_golang's DB-stats collector.
func TestMetricsPoolFigures(t *testing.T) {
	s := storetest.Open(t)
	srv := httptest.NewServer(api.New(api.Config{DBs: s.DBs(), MetricsToken: testMetricsToken}, s))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+testMetricsToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{`go_sql_open_connections{db_name="writer"}`, `go_sql_max_open_connections{db_name="writer"}`} {
		if !strings.Contains(string(body), want) {
			t.Fatalf("/metrics has no %s:\n%.2000s", want, body)
		}
	}
}
