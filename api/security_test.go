package api_test

// Issue 10 (items 6 to 8): the gaps a security review found, through a real
// server on a fresh database (SQLite, or PostgreSQL with FUNDTRACKER_TEST_ENGINE=postgres).

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fundtracker/fundtracker/api"
	"github.com/fundtracker/fundtracker/store/storetest"
)

// A known path asked with another method is 405 method_not_allowed, with Allow.
func TestWrongMethodIs405WithAllow(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct{ method, path, allow string }{
		{"DELETE", "/api/v1/contributions/1", "GET"},
		{"PUT", "/api/v1/funds", "GET, POST"},
		{"GET", "/api/v1/auth/login", "POST"},
		{"POST", "/healthz", "GET"},
		{"DELETE", "/api/v1/pledges/1/cancel", "POST"},
	} {
		r := e.do(c.method, c.path, e.admin, nil).fails(http.StatusMethodNotAllowed, "method_not_allowed", "")
		if got := r.header.Get("Allow"); got != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, got, c.allow)
		}
	}
	e.do("GET", "/api/v1/no-such-thing", e.admin, nil).fails(http.StatusNotFound, "not_found", "")
}

// Enum query parameters outside their values are 422 naming the parameter.
func TestEnumQueryParametersAreChecked(t *testing.T) {
	e := newEnv(t)
	before := e.counts()
	for _, c := range []struct{ path, field string }{
		{"/api/v1/audit?entity=bogus", "entity"},
		{"/api/v1/audit?action=delete", "action"},
		{"/api/v1/audit?entity=Fund", "entity"},
		{"/api/v1/exports/contributions.csv?bom=yes", "bom"},
		{"/api/v1/exports/pledges.csv?bom=2", "bom"},
	} {
		e.do("GET", c.path, e.admin, nil).fails(http.StatusUnprocessableEntity, "validation_failed", c.field)
	}
	fund := e.do("POST", "/api/v1/funds", e.admin, map[string]any{"code": "enum-fund", "name": "Enum Fund",
		"organization": "IOM", "target_usd": "100.00", "opens_on": "2024-07-01"}).status(201)
	_ = fund
	e.do("GET", "/api/v1/funds/enum-fund/donors.csv?bom=true", "", nil).fails(http.StatusUnprocessableEntity, "validation_failed", "bom")
	// The values they take still work.
	e.do("GET", "/api/v1/audit?entity=fund&action=create", e.admin, nil).status(http.StatusOK)
	for _, b := range []string{"0", "1"} {
		e.do("GET", "/api/v1/exports/contributions.csv?bom="+b, e.admin, nil).status(http.StatusOK)
	}
	e.do("GET", "/api/v1/funds/enum-fund/donors.csv?bom=1", "", nil).status(http.StatusOK)
	after := e.counts()
	if after["audit_events"] != before["audit_events"]+1 { // the fund's creation only
		t.Errorf("audit rows %d -> %d", before["audit_events"], after["audit_events"])
	}
}

// Login: a missing field is 422 naming it; a wrong e-mail and a wrong password are one 401.
func TestLoginMissingFieldsAndOne401(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		body  any
		field string
	}{
		{map[string]any{"password": password}, "email"},
		{map[string]any{"email": "admin@example.org"}, "password"},
		{map[string]any{"email": "", "password": password}, "email"},
		{map[string]any{}, "email"},
		{map[string]any{}, "password"},
	} {
		e.do("POST", "/api/v1/auth/login", "", c.body).fails(http.StatusUnprocessableEntity, "validation_failed", c.field)
	}
	wrongPassword := e.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "admin@example.org", "password": "not the password"}).
		fails(http.StatusUnauthorized, "unauthorized", "")
	unknown := e.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "nobody@example.org", "password": "not the password"}).
		fails(http.StatusUnauthorized, "unauthorized", "")
	if string(wrongPassword.raw) != string(unknown.raw) {
		t.Errorf("a wrong password answered %s, an unknown e-mail %s: want one answer", wrongPassword.raw, unknown.raw)
	}
}

// Any password of 12 to 256 characters works in full (argon2id reads it all).
func TestLongPasswordsWorkInFull(t *testing.T) {
	e := newEnv(t)
	long := strings.Repeat("p", 72) // bcrypt read only these 72 bytes
	for i, pw := range []string{
		long + "-and-a-suffix",
		strings.Repeat("x", 256),
		strings.Repeat("ص", 256), // 256 characters, 512 bytes
		strings.Repeat("é", 100) + " twelve+",
	} {
		email := fmt.Sprintf("long%d@example.org", i)
		e.do("POST", "/api/v1/users", e.admin, map[string]any{"email": email, "password": pw, "role": "staff"}).status(http.StatusCreated)
		e.login(email, pw)
		// The 72-byte prefix, or the prefix with another suffix, is not the password.
		for _, wrong := range []string{pw[:72], pw[:72] + "-another-suffix", pw + "x"} {
			e.do("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": wrong}).fails(http.StatusUnauthorized, "unauthorized", "")
		}
	}
	e.do("POST", "/api/v1/users", e.admin, map[string]any{"email": "toolong@example.org", "password": strings.Repeat("x", 257), "role": "staff"}).
		fails(http.StatusUnprocessableEntity, "validation_failed", "password")
	e.do("POST", "/api/v1/users", e.admin, map[string]any{"email": "tooshort@example.org", "password": "short", "role": "staff"}).
		fails(http.StatusUnprocessableEntity, "validation_failed", "password")
	// A password that was never accepted still answers 401, not 500, at login.
	e.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "admin@example.org", "password": strings.Repeat("y", 5000)}).
		fails(http.StatusUnauthorized, "unauthorized", "")
}

// An 80-character first admin password (FUNDTRACKER_ADMIN_PASSWORD) works.
func TestEnsureAdminTakesALongPassword(t *testing.T) {
	s := storetest.Open(t)
	pw := strings.Repeat("0123456789", 8)
	if _, _, err := s.EnsureAdmin(context.Background(), "root@example.org", pw); err != nil {
		t.Fatalf("EnsureAdmin with an 80-character password: %v", err)
	}
	e := &env{t: t, store: s}
	e.srv = newServer(t, api.New(api.Config{}, s))
	e.login("root@example.org", pw)
	e.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "root@example.org", "password": pw[:72]}).fails(http.StatusUnauthorized, "unauthorized", "")
}

// An Idempotency-Key that is not 1 to 200 printable ASCII characters is 422
// and writes nothing, on either engine.
func TestIdempotencyKeyMustBePrintableASCII(t *testing.T) {
	f := newFixture(t)
	before := f.counts()
	for name, key := range map[string]string{
		"Latin-1 byte":  "caf\xe9",
		"UTF-8":         "café",
		"201 chars":     strings.Repeat("k", 201),
		"inner tab":     "a\tb",
		"high byte":     "\xff\xfe",
		"only a space?": " ",
	} {
		r := f.pay(f.morocco, nil, "10.00", "USD", "2024-08-01", "Idempotency-Key", key)
		if r.code != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422: %s", name, r.code, r.raw)
			continue
		}
		r.fails(http.StatusUnprocessableEntity, "validation_failed", "Idempotency-Key")
	}
	f.unchanged(before, "refused Idempotency-Keys")
	f.pay(f.morocco, nil, "10.00", "USD", "2024-08-01", "Idempotency-Key", strings.Repeat("k", 200)).status(http.StatusCreated)
	f.pay(f.morocco, nil, "10.00", "USD", "2024-08-01", "Idempotency-Key", "printable ~!@#$%^&*()").status(http.StatusCreated)
}

// Control characters are refused before trimming: a trailing U+0085 (NEL)
// or a line feed in a one-line field is not silently dropped.
func TestControlCharactersRefusedBeforeTrimming(t *testing.T) {
	f := newFixture(t)
	before := f.counts()
	for _, name := range []string{"Trailing NEL\u0085", "\u0085Leading NEL", "Line feed\n", "\tTab first", "Inner\u0085NEL", "Line separator\u2028"} {
		f.do("POST", "/api/v1/donors", f.staff, map[string]any{"name": name, "kind": "government", "country_code": "MA"}).
			fails(http.StatusUnprocessableEntity, "validation_failed", "name")
	}
	f.do("POST", "/api/v1/users", f.admin, map[string]any{"email": "nel@example.org\u0085", "password": password, "role": "staff"}).
		fails(http.StatusUnprocessableEntity, "validation_failed", "email")
	f.unchanged(before, "control characters")
	// Ordinary spaces are still trimmed.
	d := f.do("POST", "/api/v1/donors", f.staff, map[string]any{"name": "  Spaced Donor  ", "kind": "ngo"}).status(http.StatusCreated)
	eq(t, "trimmed name", d.str("name"), "Spaced Donor")
}

// An anonymous donor's kind is null in public answers, like its name and country.
func TestAnonymousDonorKindIsMasked(t *testing.T) {
	f := newFixture(t)
	f.pay(f.anon, nil, "10.00", "USD", "2024-08-01").status(201)
	f.pay(f.morocco, nil, "20.00", "USD", "2024-08-01").status(201)
	items := f.do("GET", fmt.Sprintf("/api/v1/funds/%d/donors", f.fund), "", nil).status(200).items()
	if len(items) != 2 {
		t.Fatalf("%d donors, want 2", len(items))
	}
	for _, d := range items {
		kind, present := d["kind"]
		switch d["anonymous"] {
		case true:
			if !present || kind != nil {
				t.Errorf("anonymous donor's kind = %v (present %v), want null", kind, present)
			}
		default:
			eq(t, "named donor's kind", kind, "government")
		}
	}
	csv := string(f.do("GET", fmt.Sprintf("/api/v1/funds/%d/donors.csv", f.fund), "", nil).status(200).raw)
	if strings.Contains(csv, "individual") {
		t.Errorf("donors.csv shows the anonymous donor's kind:\n%s", csv)
	}
}

// /metrics is not public: off without a token, and then only for that bearer token.
func TestMetricsAreNotPublic(t *testing.T) {
	off := newEnvConfig(t, api.Config{}, nil)
	off.do("GET", "/metrics", "", nil).fails(http.StatusNotFound, "not_found", "")
	off.do("GET", "/metrics", off.admin, nil).fails(http.StatusNotFound, "not_found", "")

	on := newEnv(t)
	on.do("GET", "/metrics", "", nil).fails(http.StatusUnauthorized, "unauthorized", "")
	on.do("GET", "/metrics", on.admin, nil).fails(http.StatusUnauthorized, "unauthorized", "")
	on.do("GET", "/metrics", "not-the-token", nil).fails(http.StatusUnauthorized, "unauthorized", "")
	r := on.do("GET", "/metrics", testMetricsToken, nil).status(http.StatusOK)
	if !strings.Contains(string(r.raw), "fundtracker_http_requests_total") {
		t.Errorf("/metrics with the token lacks the request counter")
	}
}

func newServer(t *testing.T, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// /funds/{unknown} is a 404 page in the page's language; a known fund's page is 200.
func TestUnknownFundPageIs404InItsLanguage(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct{ query, lang, dir, text string }{
		{"?lang=en", "en", "ltr", "Fund not found"},
		{"?lang=fr", "fr", "ltr", "Fonds introuvable"},
		{"?lang=ar", "ar", "rtl", "الصندوق غير موجود"},
	} {
		r := f.do("GET", "/funds/no-such-fund"+c.query, "", nil)
		page := string(r.raw)
		if r.code != http.StatusNotFound || !strings.Contains(page, `lang="`+c.lang+`"`) || !strings.Contains(page, `dir="`+c.dir+`"`) ||
			!strings.Contains(page, c.text) || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			t.Errorf("/funds/no-such-fund%s: %d %s %.300s", c.query, r.code, r.header.Get("Content-Type"), page)
		}
	}
	// Accept-Language picks the language too.
	r := f.do("GET", "/funds/nope", "", nil, "Accept-Language", "fr-FR,fr;q=0.9")
	if r.code != http.StatusNotFound || !strings.Contains(string(r.raw), "Fonds introuvable") {
		t.Errorf("Accept-Language fr: %d %.200s", r.code, r.raw)
	}
	for _, known := range []string{"/funds/resilience", fmt.Sprintf("/funds/%d", f.fund), "/funds/resilience?lang=ar"} {
		if r := f.do("GET", known, "", nil); r.code != http.StatusOK || strings.Contains(string(r.raw), "notfound") {
			t.Errorf("%s: %d", known, r.code)
		}
	}
}

// A body with several fields of the wrong type (or unknown) names every one
// of them in one 422 (encoding/json stops at the first), and writes nothing.
func TestEveryFieldOfTheWrongTypeNamed(t *testing.T) {
	f := newFixture(t)
	before := f.counts()
	r := f.do("POST", "/api/v1/contributions", f.staff, map[string]any{"fund_id": "abc", "donor_id": []int{1}, "amount": "10.00",
		"currency": "USD", "received_on": "2024-08-01", "amout": "1"}).fails(http.StatusUnprocessableEntity, "validation_failed", "fund_id")
	for _, field := range []string{"donor_id", "amout"} {
		if fields, _ := r.body["error"].(map[string]any)["fields"].(map[string]any); fields[field] == nil {
			t.Errorf("%s not named: %s", field, r.raw)
		}
	}
	r = f.do("POST", "/api/v1/auth/login", "", map[string]any{"email": 123, "password": true}).fails(http.StatusUnprocessableEntity, "validation_failed", "email")
	if fields, _ := r.body["error"].(map[string]any)["fields"].(map[string]any); fields["password"] == nil {
		t.Errorf("password not named: %s", r.raw)
	}
	// One field at fault keeps its one-field answer.
	f.do("POST", "/api/v1/donors", f.staff, map[string]any{"name": 5, "kind": "ngo"}).fails(http.StatusUnprocessableEntity, "validation_failed", "name")
	f.unchanged(before, "fields of the wrong type")
}
