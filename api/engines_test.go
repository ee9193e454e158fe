package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fundtracker/fundtracker/api"
	"github.com/fundtracker/fundtracker/store"
	"github.com/fundtracker/fundtracker/store/storetest"
)

// TestEnginesAnswerByteIdentically: the same requests, through the real HTTP
// handler, against SQLite and against PostgreSQL give byte-identical progress
// (now and as of past days), donor breakdown (JSON, pages and CSV) and
// timelines, and the same 4xx answer to every hostile request, which writes
// nothing on either engine.
func TestEnginesAnswerByteIdentically(t *testing.T) {
	pg := storetest.FreshSchema(t, storetest.DatabaseURL(t))
	sqlite := runEngineScenario(t, filepath.Join(t.TempDir(), "engines.db"))
	postgres := runEngineScenario(t, pg)
	if len(sqlite) != len(postgres) {
		t.Fatalf("%d answers on SQLite, %d on PostgreSQL", len(sqlite), len(postgres))
	}
	var bytes int
	for i := range sqlite {
		if sqlite[i] != postgres[i] {
			t.Errorf("answers differ:\n--- sqlite\n%s\n--- postgres\n%s", sqlite[i], postgres[i])
		}
		bytes += len(sqlite[i])
	}
	t.Logf("%d answers (%d bytes) byte-identical on SQLite and PostgreSQL", len(sqlite), bytes)
}

// runEngineScenario runs the scenario on a fresh database and returns the
// answers to compare, each as "request\nstatus\nbody".
func runEngineScenario(t *testing.T, dsn string) []string {
	ctx := context.Background()
	s, err := store.Open(ctx, store.Config{DSN: dsn, Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.EnsureAdmin(ctx, "admin@example.org", "engines-admin-password"); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, store: s, srv: httptest.NewServer(api.New(api.Config{}, s))}
	defer e.srv.Close()
	token := e.login("admin@example.org", "engines-admin-password")
	call := func(method, path, body string, header ...string) (int, []byte) {
		r := e.do(method, path, token, body, header...)
		return r.code, r.raw
	}
	create := func(path, body string) int64 { return e.do("POST", path, token, body).status(http.StatusCreated).id() }

	fund := create("/api/v1/funds", `{"code":"engines-fund","name":"Engines fund","organization":"IOM","target_usd":"2500000.00","opens_on":"2024-01-01"}`)
	other := create("/api/v1/funds", `{"code":"other-fund","name":"Other fund","target_usd":"1000.00"}`)
	for _, r := range []string{
		`{"currency":"EUR","effective_on":"2024-01-01","units_per_usd":"0.9137","source":"UN operational rate"}`,
		`{"currency":"EUR","effective_on":"2024-06-01","units_per_usd":"0.92513"}`,
		`{"currency":"CHF","effective_on":"2024-01-01","units_per_usd":"0.8813"}`,
		`{"currency":"JPY","effective_on":"2024-01-01","units_per_usd":"151.37"}`,
		`{"currency":"KWD","effective_on":"2024-01-01","units_per_usd":"0.30711"}`,
	} {
		create("/api/v1/exchange-rates", r)
	}
	var donors []int64
	for _, d := range []string{
		`{"name":"Kingdom of Morocco","kind":"government","country_code":"MA"}`,
		`{"name":"Nordic partner","kind":"government","country_code":"SE"}`,
		`{"name":"Fondation Léman","kind":"foundation","country_code":"CH"}`,
		`{"name":"Secret benefactor","kind":"individual","country_code":"JP","anonymous":true}`,
		`{"name":"=HYPERLINK(\"x\")","kind":"private_sector","country_code":"KW"}`,
		`{"name":"Gulf fund","kind":"multilateral"}`,
		`{"name":"ÉCOLE Sans Frontières","kind":"ngo","country_code":"FR"}`,
	} {
		donors = append(donors, create("/api/v1/donors", d))
	}
	currencies := []string{"USD", "EUR", "CHF", "JPY", "KWD"}
	amount := func(rnd *rand.Rand, cur string) string {
		switch cur {
		case "JPY":
			return fmt.Sprint(1 + rnd.Intn(90_000_000))
		case "KWD":
			return fmt.Sprintf("%d.%03d", rnd.Intn(200_000), rnd.Intn(1000))
		}
		return fmt.Sprintf("%d.%02d", rnd.Intn(900_000), rnd.Intn(100))
	}
	rnd := rand.New(rand.NewSource(42))
	type pledge struct {
		id, donor int64
		cur       string
	}
	var pledges []pledge
	for i := 0; i < 12; i++ {
		cur := currencies[i%len(currencies)]
		body := fmt.Sprintf(`{"fund_id":%d,"donor_id":%d,"amount":"%s","currency":"%s","pledged_on":"2024-%02d-%02d","due_on":"2025-0%d-15","stage":"%s"}`,
			fund, donors[i%len(donors)], amount(rnd, cur), cur, 1+rnd.Intn(11), 1+rnd.Intn(28), 1+i%3, []string{"pledge", "commitment"}[i%2])
		pledges = append(pledges, pledge{create("/api/v1/pledges", body), donors[i%len(donors)], cur})
	}
	var contributions []int64
	for i := 0; i < 60; i++ {
		on := fmt.Sprintf("2024-%02d-%02d", 1+rnd.Intn(12), 1+rnd.Intn(28))
		var body string
		if p := pledges[rnd.Intn(len(pledges))]; i%3 == 0 {
			body = fmt.Sprintf(`{"fund_id":%d,"donor_id":%d,"pledge_id":%d,"amount":"%s","currency":"%s","received_on":"%s"}`,
				fund, p.donor, p.id, strings.TrimSuffix(amount(rnd, p.cur), "0"), p.cur, on)
			if status, _ := call("POST", "/api/v1/contributions", body); status != http.StatusCreated && status != http.StatusUnprocessableEntity {
				t.Fatalf("payment of pledge %d: %d", p.id, status) // 422 when it would overpay: the same on both engines
			}
			continue
		}
		cur := currencies[rnd.Intn(len(currencies))]
		extra := ""
		if cur != "USD" && i%4 == 1 {
			extra = `,"exchange_rate":"1.2345"`
		}
		body = fmt.Sprintf(`{"fund_id":%d,"donor_id":%d,"amount":"%s","currency":"%s","received_on":"%s","earmarking":"%s"%s}`,
			fund, donors[rnd.Intn(len(donors))], amount(rnd, cur), cur, on, []string{"unearmarked", "softly_earmarked", "earmarked"}[i%3], extra)
		contributions = append(contributions, create("/api/v1/contributions", body))
	}
	for _, id := range contributions[:3] {
		if status, b := call("POST", fmt.Sprintf("/api/v1/contributions/%d/void", id), `{"reason":"entered twice"}`); status != http.StatusOK {
			t.Fatalf("void: %d %s", status, b)
		}
	}
	if status, b := call("POST", fmt.Sprintf("/api/v1/pledges/%d/cancel", pledges[4].id), `{"reason":"withdrawn"}`); status != http.StatusOK {
		t.Fatalf("cancel: %d %s", status, b)
	}
	keyed := fmt.Sprintf(`{"fund_id":%d,"donor_id":%d,"amount":"1000.10","currency":"EUR","received_on":"2024-10-01"}`, fund, donors[1])
	_, first := call("POST", "/api/v1/contributions", keyed, "Idempotency-Key", "engines-1")
	if status, again := call("POST", "/api/v1/contributions", keyed, "Idempotency-Key", "engines-1"); status != http.StatusCreated || string(again) != string(first) {
		t.Fatalf("idempotent replay on %s: %d %s, first %s", s.Engine(), status, again, first)
	}

	reads := []string{
		"/api/v1/funds/engines-fund/progress",
		fmt.Sprintf("/api/v1/funds/%d/progress", fund),
		"/api/v1/funds/engines-fund/progress?as_of=2023-12-31",
		"/api/v1/funds/engines-fund/progress?as_of=2024-03-31",
		"/api/v1/funds/engines-fund/progress?as_of=2024-06-30",
		"/api/v1/funds/engines-fund/progress?as_of=2024-12-31",
		"/api/v1/funds/engines-fund/donors",
		"/api/v1/funds/engines-fund/donors?limit=2",
		"/api/v1/funds/engines-fund/donors.csv",
		"/api/v1/funds/engines-fund/timeline?interval=day",
		"/api/v1/funds/engines-fund/timeline?interval=month",
		"/api/v1/funds/other-fund/progress",
	}
	var answers []string
	record := func(method, path, body string, header ...string) (int, string) {
		status, b := call(method, path, body, header...)
		answers = append(answers, fmt.Sprintf("%s %s %s %v\n%d\n%s", method, path, body, header, status, b))
		return status, string(b)
	}
	readAll := func() []string {
		before := len(answers)
		for _, path := range reads {
			if status, b := record("GET", path, ""); status != http.StatusOK {
				t.Fatalf("GET %s: %d %s", path, status, b)
			}
		}
		_, next := call("GET", "/api/v1/funds/engines-fund/donors?limit=2", "")
		var page struct{ Next *string }
		json.Unmarshal(next, &page)
		if page.Next == nil {
			t.Fatal("no second page of donors")
		}
		record("GET", "/api/v1/funds/engines-fund/donors?limit=2&cursor="+*page.Next, "")
		_, audit := call("GET", "/api/v1/audit?limit=1000", "")
		var events struct{ Items []json.RawMessage }
		json.Unmarshal(audit, &events)
		answers = append(answers, fmt.Sprintf("audit events: %d", len(events.Items)))
		return slices.Clone(answers[before:])
	}
	before := readAll()
	// A donor search folds case beyond ASCII on both engines (names only: records carry their creation time).
	for _, q := range []string{"%C3%A9cole", "L%C3%89MAN", "ONTI%C3%88RES", "fondation"} {
		var page struct{ Items []struct{ Name string } }
		_, b := call("GET", "/api/v1/donors?q="+q, "")
		json.Unmarshal(b, &page)
		if len(page.Items) == 0 {
			t.Errorf("%s: a search for %s finds nothing", s.Engine(), q)
		}
		answers = append(answers, fmt.Sprintf("donors?q=%s: %v", q, page.Items))
	}

	pay := func(extra string) string {
		return fmt.Sprintf(`{"fund_id":%d,"donor_id":%d,"currency":"EUR","received_on":"2024-05-05"%s}`, fund, donors[0], extra)
	}
	hostile := []struct{ method, path, body, key string }{
		{"POST", "/api/v1/contributions", `{"fund_id":`, ""},
		{"POST", "/api/v1/contributions", `[1,2]`, ""},
		{"POST", "/api/v1/contributions", pay(`,"amount":"1.00","amount":"2.00"`), ""},
		{"POST", "/api/v1/contributions", pay(`,"amount":"1.00","surprise":true`), ""},
		{"POST", "/api/v1/contributions", pay(`,"amount":"1.001"`), ""},
		{"POST", "/api/v1/contributions", pay(`,"amount":"-5.00"`), ""},
		{"POST", "/api/v1/contributions", pay(`,"amount":"0"`), ""},
		{"POST", "/api/v1/contributions", pay(`,"amount":"1000000000000000"`), ""},
		{"POST", "/api/v1/contributions", pay(`,"amount":"1e3"`), ""},
		{"POST", "/api/v1/contributions", pay(`,"amount":"NaN"`), ""},
		{"POST", "/api/v1/contributions", strings.Replace(pay(`,"amount":"10.00"`), "2024-05-05", "2099-01-01", 1), ""},
		{"POST", "/api/v1/contributions", strings.Replace(pay(`,"amount":"10.00"`), "2024-05-05", "2024-02-30", 1), ""},
		{"POST", "/api/v1/contributions", strings.Replace(pay(`,"amount":"10.00"`), "2024-05-05", "2023-06-01", 1), ""},
		{"POST", "/api/v1/contributions", strings.Replace(pay(`,"amount":"10.00"`), `"EUR"`, `"SEK"`, 1), ""},
		{"POST", "/api/v1/contributions", strings.Replace(pay(`,"amount":"10.00"`), `"EUR"`, `"XXX"`, 1), ""},
		{"POST", "/api/v1/contributions", strings.Replace(pay(`,"amount":"10.00"`), fmt.Sprintf(`"fund_id":%d`, fund), `"fund_id":999999`, 1), ""},
		{"POST", "/api/v1/contributions", fmt.Sprintf(`{"fund_id":%d,"donor_id":%d,"pledge_id":%d,"amount":"1","currency":"%s","received_on":"2024-12-30"}`, other, donors[0], pledges[0].id, pledges[0].cur), ""},
		{"POST", "/api/v1/contributions", fmt.Sprintf(`{"fund_id":%d,"donor_id":%d,"pledge_id":%d,"amount":"1","currency":"%s","received_on":"2024-12-30"}`, fund, donors[4], pledges[4].id, pledges[4].cur), ""},
		{"POST", "/api/v1/contributions", fmt.Sprintf(`{"fund_id":%d,"donor_id":%d,"pledge_id":%d,"amount":"999999999","currency":"%s","received_on":"2024-12-30"}`, fund, donors[0], pledges[0].id, pledges[0].cur), ""},
		{"POST", "/api/v1/contributions", strings.Replace(keyed, "1000.10", "1000.20", 1), "engines-1"},
		{"POST", "/api/v1/funds", `{"code":"engines-fund","name":"Again","target_usd":"1.00"}`, ""},
		{"POST", "/api/v1/funds", `{"code":"Bad Code!","name":"x","target_usd":"0"}`, ""},
		{"POST", "/api/v1/exchange-rates", `{"currency":"EUR","effective_on":"2024-01-01","units_per_usd":"0.9"}`, ""},
		{"POST", "/api/v1/pledges", fmt.Sprintf(`{"fund_id":%d,"donor_id":%d,"amount":"10","currency":"JPY","pledged_on":"2024-01-01","stage":"maybe"}`, fund, donors[0]), ""},
		{"POST", fmt.Sprintf("/api/v1/contributions/%d/void", contributions[0]), `{"reason":"again"}`, ""},
		{"POST", fmt.Sprintf("/api/v1/contributions/%d/void", contributions[5]), `{"reason":""}`, ""},
		{"POST", fmt.Sprintf("/api/v1/pledges/%d/cancel", pledges[4].id), `{"reason":"again"}`, ""},
		{"POST", "/api/v1/users", `{"email":"short@example.org","password":"short","role":"staff"}`, ""},
		{"GET", "/api/v1/funds/no-such-fund/progress", "", ""},
		{"GET", "/api/v1/funds/engines-fund/progress?as_of=2024-13-01", "", ""},
		{"GET", "/api/v1/funds/engines-fund/timeline?interval=week", "", ""},
		{"GET", "/api/v1/funds/bad%00code/progress", "", ""},
		{"GET", "/api/v1/funds/99999999999999999999/progress", "", ""},
		{"GET", "/api/v1/funds/engines-fund/donors?cursor=%00", "", ""},
		{"GET", "/api/v1/contributions?fund_id=abc", "", ""},
		{"GET", "/api/v1/contributions?from=2024-01-01%00", "", ""},
		{"GET", "/api/v1/exchange-rates?currency=E%00R", "", ""},
		{"POST", "/api/v1/donors", `{"name":"Nul\u0000byte","kind":"other"}`, ""},
		{"POST", "/api/v1/contributions", pay(`,"amount":"10.00","reference":"ref\u0000"`), ""},
		{"GET", "/api/v1/funds/%ff/progress", "", ""},
		// Issue 10: Latin-1 bytes in an Idempotency-Key (PostgreSQL answered 500), a trailing NEL,
		// a wrong method, enum parameters.
		{"POST", "/api/v1/contributions", pay(`,"amount":"10.00"`), "caf\xe9"},
		{"POST", "/api/v1/contributions", pay(`,"amount":"10.00"`), strings.Repeat("k", 201)},
		{"POST", "/api/v1/donors", `{"name":"Trailing NEL\u0085","kind":"other"}`, ""},
		{"DELETE", fmt.Sprintf("/api/v1/contributions/%d", contributions[0]), "", ""},
		{"GET", "/api/v1/audit?entity=bogus", "", ""},
		{"GET", "/api/v1/exports/contributions.csv?bom=yes", "", ""},
	}
	for _, h := range hostile {
		var status int
		if h.key != "" {
			status, _ = record(h.method, h.path, h.body, "Idempotency-Key", h.key)
		} else {
			status, _ = record(h.method, h.path, h.body)
		}
		if status < 400 || status >= 500 {
			t.Errorf("%s: %s %s %s: %d, want a 4xx", s.Engine(), h.method, h.path, h.body, status)
		}
	}
	// Lookups by text no stored record has (NUL bytes and invalid UTF-8, which
	// PostgreSQL refuses and SQLite takes) find nothing on either engine.
	for _, path := range []string{"/api/v1/donors?q=%00", "/api/v1/donors?q=%ff"} {
		if status, b := record("GET", path, ""); status != http.StatusOK || !strings.Contains(b, `"items":[]`) {
			t.Errorf("%s: GET %s: %d %s, want 200 and no items", s.Engine(), path, status, b)
		}
	}
	// Enum parameters take their values only (issue 10), whatever the bytes.
	for _, path := range []string{"/api/v1/audit?entity=%00", "/api/v1/audit?action=%ff"} {
		if status, b := record("GET", path, ""); status != http.StatusUnprocessableEntity {
			t.Errorf("%s: GET %s: %d %s, want 422", s.Engine(), path, status, b)
		}
	}
	admin := token
	token = ""
	record("POST", "/api/v1/contributions", pay(`,"amount":"10.00"`))
	record("POST", "/api/v1/contributions", pay(`,"amount":"10.00"`), "Authorization", "Bearer fts_forged")
	token = admin
	for i, after := range readAll() {
		if after != before[i] {
			t.Errorf("%s: hostile requests changed an answer:\nbefore %s\nafter  %s", s.Engine(), before[i], after)
		}
	}
	// A failed login writes (throttling, audit): after the nothing-written check.
	for _, email := range []string{`admin@example.org\u0000`, "nobody@example.org", "ADMIN@example.org "} {
		record("POST", "/api/v1/auth/login", fmt.Sprintf(`{"email":"%s","password":"not the password"}`, email))
	}
	return answers
}
