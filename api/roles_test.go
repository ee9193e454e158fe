package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fundtracker/fundtracker/api"
	"github.com/fundtracker/fundtracker/store"
)

// Issue 16: users take a role and fund_ids; fund managers write on their
// funds only; viewers and auditors write nothing.

func TestUsersTakeRoleAndFundIDs(t *testing.T) {
	e := newEnv(t)
	w := newWorld(t, e)
	user := func(n int, role string, funds any) map[string]any {
		b := map[string]any{"email": fmt.Sprintf("u%d@example.org", n), "password": password, "role": role}
		if funds != nil {
			b["fund_ids"] = funds
		}
		return b
	}
	before := e.counts()
	for i, c := range []struct {
		body  map[string]any
		field string
	}{
		{user(1, "fund_manager", nil), "fund_ids"},
		{user(2, "fund_manager", []any{}), "fund_ids"},
		{user(3, "fund_manager", []any{999999}), "fund_ids"},
		{user(4, "fund_manager", []any{jsonNumber(w.fundA), 999998}), "fund_ids"},
		{user(5, "staff", []any{jsonNumber(w.fundA)}), "fund_ids"},
		{user(6, "viewer", []any{jsonNumber(w.fundA)}), "fund_ids"},
		{user(7, "owner", nil), "role"},
		{user(8, "fund_manager", "1"), "fund_ids"},
		{user(9, "fund_manager", []any{-1}), "fund_ids"},
	} {
		e.do("POST", "/api/v1/users", e.admin, c.body).fails(http.StatusUnprocessableEntity, "validation_failed", c.field)
		_ = i
	}
	e.unchanged(before, "refused users")
	e.do("POST", "/api/v1/users", e.staff, user(10, "viewer", nil)).fails(http.StatusForbidden, "forbidden", "")
	e.do("POST", "/api/v1/users", w.manager, user(10, "viewer", nil)).fails(http.StatusForbidden, "forbidden", "")

	m := e.do("POST", "/api/v1/users", e.admin, user(11, "fund_manager", []any{jsonNumber(w.fundB), jsonNumber(w.fundA), jsonNumber(w.fundB)})).status(201)
	if got := fmt.Sprint(m.body["fund_ids"]); got != fmt.Sprintf("[%s %s]", w.fundA, w.fundB) {
		t.Errorf("fund_ids %s", got)
	}
	v := e.do("POST", "/api/v1/users", e.admin, user(12, "viewer", []any{})).status(201)
	if got := fmt.Sprint(v.body["fund_ids"]); got != "[]" {
		t.Errorf("a viewer's fund_ids: %s", got)
	}
	me := e.do("GET", "/api/v1/auth/me", e.login("u11@example.org", password), nil).status(200)
	if me.body["role"] != "fund_manager" || fmt.Sprint(me.body["fund_ids"]) != fmt.Sprintf("[%s %s]", w.fundA, w.fundB) {
		t.Errorf("me: %s", me.raw)
	}
	// PATCH: funds replaced; role changed away clears them; to fund_manager needs them.
	id := sid(m)
	e.do("PATCH", "/api/v1/users/"+id, e.admin, map[string]any{"fund_ids": []any{}}).fails(422, "validation_failed", "fund_ids")
	r := e.do("PATCH", "/api/v1/users/"+id, e.admin, map[string]any{"fund_ids": []any{jsonNumber(w.fundB)}}).status(200)
	if fmt.Sprint(r.body["fund_ids"]) != "["+w.fundB+"]" {
		t.Errorf("after PATCH fund_ids: %s", r.raw)
	}
	r = e.do("PATCH", "/api/v1/users/"+id, e.admin, map[string]any{"role": "auditor"}).status(200)
	if r.body["role"] != "auditor" || fmt.Sprint(r.body["fund_ids"]) != "[]" {
		t.Errorf("after PATCH role: %s", r.raw)
	}
	e.do("PATCH", "/api/v1/users/"+id, e.admin, map[string]any{"role": "fund_manager"}).fails(422, "validation_failed", "fund_ids")
	e.do("PATCH", "/api/v1/users/"+id, e.admin, map[string]any{"fund_ids": []any{jsonNumber(w.fundA)}}).fails(422, "validation_failed", "fund_ids")
	r = e.do("PATCH", "/api/v1/users/"+id, e.admin, map[string]any{"role": "fund_manager", "fund_ids": []any{jsonNumber(w.fundA)}}).status(200)
	if r.body["role"] != "fund_manager" || fmt.Sprint(r.body["fund_ids"]) != "["+w.fundA+"]" {
		t.Errorf("back to fund_manager: %s", r.raw)
	}
	for _, u := range e.do("GET", "/api/v1/users", e.admin, nil).status(200).items() {
		if u["email"] == "u11@example.org" && fmt.Sprint(u["fund_ids"]) != "["+w.fundA+"]" {
			t.Errorf("users list: %v", u)
		}
	}
	audit := e.do("GET", "/api/v1/audit?entity=user&entity_id="+id, e.admin, nil).status(200).items()
	if len(audit) != 4 || !strings.Contains(fmt.Sprint(audit[2]["before"]), "fund_ids:["+w.fundA+" "+w.fundB+"]") {
		t.Errorf("audit of the user: %d events: %v", len(audit), audit)
	}
}

func TestFundManagerWritesOnlyOnItsFunds(t *testing.T) {
	e := newEnv(t)
	w := newWorld(t, e)
	m := w.manager
	pledgeBody := func(fund string) map[string]any {
		return map[string]any{"fund_id": jsonNumber(fund), "donor_id": jsonNumber(w.donor), "amount": "50.00", "currency": "USD", "pledged_on": "2025-07-02"}
	}
	own := sid(e.do("POST", "/api/v1/pledges", m, pledgeBody(w.fundA)).status(201))
	e.do("PATCH", "/api/v1/pledges/"+own, m, map[string]any{"reference": "AGR-A"}).status(200)
	paid := sid(e.do("POST", "/api/v1/contributions", m, map[string]any{"pledge_id": jsonNumber(own), "amount": "5.00", "received_on": "2025-07-03"}).status(201))
	e.do("POST", "/api/v1/contributions/"+paid+"/void", m, map[string]any{"reason": "Bounced"}).status(200)
	e.do("POST", "/api/v1/pledges/"+own+"/cancel", m, map[string]any{"reason": "Withdrawn"}).status(200)
	// Shared data: donors and rates.
	d := sid(e.do("POST", "/api/v1/donors", m, map[string]any{"name": "Republic of Chad", "kind": "government"}).status(201))
	e.do("PATCH", "/api/v1/donors/"+d, m, map[string]any{"country_code": "TD"}).status(200)
	e.do("POST", "/api/v1/exchange-rates", m, map[string]any{"currency": "EUR", "effective_on": "2025-07-01", "units_per_usd": "0.9"}).status(201)
	// Reads of every fund.
	e.do("GET", "/api/v1/pledges?fund_id="+w.fundB, m, nil).status(200)
	e.do("GET", "/api/v1/exports/contributions.csv?fund_id="+w.fundB, m, nil).status(200)
	e.do("GET", "/api/v1/documents/"+w.docB, m, nil).status(200)

	before := e.counts()
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/api/v1/pledges", pledgeBody(w.fundB)},
		{"POST", "/api/v1/contributions", map[string]any{"pledge_id": jsonNumber(w.pledgeB), "amount": "1.00", "received_on": "2025-07-03"}},
		{"POST", "/api/v1/contributions", map[string]any{"fund_id": jsonNumber(w.fundB), "donor_id": jsonNumber(w.donor), "amount": "1.00", "currency": "USD", "received_on": "2025-07-03"}},
		// A pledge of another fund named beside its own fund is refused too.
		{"POST", "/api/v1/contributions", map[string]any{"fund_id": jsonNumber(w.fundA), "pledge_id": jsonNumber(w.pledgeB), "amount": "1.00", "received_on": "2025-07-03"}},
		{"PATCH", "/api/v1/pledges/" + w.pledgeB, map[string]any{"reference": "X"}},
		{"POST", "/api/v1/pledges/" + w.pledgeB + "/cancel", map[string]any{"reason": "x"}},
		{"POST", "/api/v1/contributions/" + w.paidB + "/void", map[string]any{"reason": "x"}},
		{"POST", "/api/v1/documents/" + w.docB + "/supersede", map[string]any{"reason": "x"}},
		{"PATCH", "/api/v1/funds/" + w.fundA, map[string]any{"name": "Mine"}},
		{"GET", "/api/v1/audit", nil},
		{"GET", "/api/v1/users", nil},
	} {
		r := e.do(c.method, c.path, m, c.body).fails(http.StatusForbidden, "forbidden", "")
		msg := r.body["error"].(map[string]any)["message"].(string)
		for _, hidden := range []string{w.pledgeB, w.paidB, w.docB, w.fundB, w.codeB, "Fund B"} {
			if strings.Contains(msg, hidden) && c.method != "GET" {
				t.Errorf("%s %s: the refusal names %q: %s", c.method, c.path, hidden, msg)
			}
		}
	}
	for _, path := range []string{"/api/v1/pledges/" + w.pledgeB + "/documents", "/api/v1/contributions/" + w.paidB + "/documents"} {
		e.upload(path, m, "agreement", "a.pdf", pdfFile, nil).fails(http.StatusForbidden, "forbidden", "")
	}
	e.unchanged(before, "refused writes of a fund manager")
	// The clear message the console shows.
	r := e.do("POST", "/api/v1/pledges", m, pledgeBody(w.fundB))
	if msg := fmt.Sprint(r.body["error"]); !strings.Contains(msg, "only writes on the funds assigned to you") {
		t.Errorf("message: %s", msg)
	}
}

func TestViewersAndAuditorsWriteNothing(t *testing.T) {
	e := newEnv(t)
	w := newWorld(t, e)
	for _, who := range []string{w.viewer, w.auditor} {
		for _, p := range []string{"/api/v1/donors", "/api/v1/exchange-rates", "/api/v1/pledges", "/api/v1/contributions",
			"/api/v1/pledges/" + w.pledgeB, "/api/v1/contributions/" + w.paidB, "/api/v1/pledges/" + w.pledgeB + "/documents",
			"/api/v1/exports/contributions.csv", "/api/v1/exports/pledges.csv", "/api/v1/documents/" + w.docA} {
			e.do("GET", p, who, nil).status(200)
		}
		before := e.counts()
		e.do("POST", "/api/v1/donors", who, map[string]any{"name": "X", "kind": "other"}).fails(403, "forbidden", "")
		e.do("POST", "/api/v1/pledges", who, map[string]any{"fund_id": jsonNumber(w.fundA), "donor_id": jsonNumber(w.donor), "amount": "1",
			"currency": "USD", "pledged_on": "2025-07-01"}).fails(403, "forbidden", "")
		e.do("POST", "/api/v1/contributions/"+w.paidA+"/void", who, map[string]any{"reason": "x"}).fails(403, "forbidden", "")
		e.upload("/api/v1/pledges/"+w.pledgeA+"/documents", who, "agreement", "a.pdf", pdfFile, nil).fails(403, "forbidden", "")
		e.unchanged(before, "refused writes of a reader")
	}
	e.do("GET", "/api/v1/audit", w.auditor, nil).status(200)
	e.do("GET", "/api/v1/audit", w.viewer, nil).fails(403, "forbidden", "")
}

func TestTokensScopeExpiryAndLastUse(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	e := newEnvConfig(t, api.Config{}, clk)
	defer func(r time.Duration) { store.TokenUseResolution = r }(store.TokenUseResolution)

	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"name": "x"}, "scope"},
		{map[string]any{"name": "x", "scope": "admin"}, "scope"},
		{map[string]any{"scope": "read"}, "name"},
		{map[string]any{"name": "x", "scope": "read", "expires_on": "2026-03-09"}, "expires_on"},
		{map[string]any{"name": "x", "scope": "read", "expires_on": "10/03/2026"}, "expires_on"},
		{map[string]any{"name": "x", "scope": "read", "expires_on": "2040-01-01"}, "expires_on"},
		{map[string]any{"name": "x", "scope": "read", "expires_in_days": 3}, "expires_in_days"},
	} {
		e.do("POST", "/api/v1/tokens", e.staff, c.body).fails(422, "validation_failed", c.field)
	}
	rt := e.do("POST", "/api/v1/tokens", e.admin, map[string]any{"name": "BI", "scope": "read", "expires_on": "2026-03-11"}).status(201)
	if rt.body["scope"] != "read" || rt.body["expires_on"] != "2026-03-11" || rt.body["last_used_at"] != nil {
		t.Errorf("read token: %s", rt.raw)
	}
	read := rt.str("token")
	e.do("GET", "/api/v1/users", read, nil).status(200)
	e.do("GET", "/api/v1/audit", read, nil).status(200)
	for _, c := range []struct{ method, path string }{
		{"POST", "/api/v1/funds"}, {"PATCH", "/api/v1/users/1"}, {"DELETE", "/api/v1/tokens/" + sid(rt)}, {"POST", "/api/v1/tokens"},
		{"POST", "/api/v1/auth/logout"}, {"POST", "/api/v1/donors"},
	} {
		e.do(c.method, c.path, read, map[string]any{"name": "x"}).fails(403, "forbidden", "")
	}
	wt := e.do("POST", "/api/v1/tokens", e.staff, map[string]any{"name": "sync", "scope": "write"}).status(201)
	if wt.body["expires_on"] != "2027-03-10" {
		t.Errorf("default expiry: %s", wt.raw)
	}
	e.do("POST", "/api/v1/donors", wt.str("token"), map[string]any{"name": "Kingdom of Morocco", "kind": "government"}).status(201)

	// Last use, written at most once a minute.
	lastUse := func(tok *response) any {
		for _, it := range e.do("GET", "/api/v1/tokens?user_id="+fmt.Sprint(tok.body["user_id"]), e.admin, nil).status(200).items() {
			if it["id"] == tok.body["id"] {
				return it["last_used_at"]
			}
		}
		t.Fatalf("token %v not listed", tok.body["id"])
		return nil
	}
	if got := lastUse(rt); got != "2026-03-10T09:00:00Z" {
		t.Errorf("last_used_at %v", got)
	}
	clk.add(50 * time.Second)
	e.do("GET", "/api/v1/auth/me", read, nil).status(200)
	if got := lastUse(rt); got != "2026-03-10T09:00:00Z" {
		t.Errorf("last_used_at moved within the minute: %v", got)
	}
	clk.add(20 * time.Second)
	e.do("GET", "/api/v1/auth/me", read, nil).status(200)
	if got := lastUse(rt); got != "2026-03-10T09:01:00Z" {
		t.Errorf("last_used_at after a minute: %v", got)
	}
	// Expiry: the token works through its expires_on day.
	clk.add(38 * time.Hour) // 2026-03-11 23:01
	e.do("GET", "/api/v1/auth/me", read, nil).status(200)
	clk.add(time.Hour) // 2026-03-12 00:01
	e.do("GET", "/api/v1/auth/me", read, nil).fails(401, "unauthorized", "")

	// Admin: any user's tokens, listed and revoked; others only their own.
	e.admin, e.staff = e.login("admin@example.org", password), e.login("staff@example.org", password) // sessions last 12 hours
	staffID := fmt.Sprint(wt.body["user_id"])
	e.do("GET", "/api/v1/tokens?user_id="+staffID, e.staff, nil).status(200)
	e.do("GET", "/api/v1/tokens?user_id=1", e.staff, nil).fails(403, "forbidden", "")
	e.do("GET", "/api/v1/tokens?user_id=abc", e.admin, nil).fails(422, "validation_failed", "user_id")
	adminTok := e.do("POST", "/api/v1/tokens", e.admin, map[string]any{"name": "mine", "scope": "write"}).status(201)
	e.do("DELETE", "/api/v1/tokens/"+sid(adminTok), e.staff, nil).fails(404, "not_found", "")
	e.do("GET", "/api/v1/auth/me", adminTok.str("token"), nil).status(200)
	e.do("DELETE", "/api/v1/tokens/"+sid(wt), e.admin, nil).status(204)
	e.do("GET", "/api/v1/auth/me", wt.str("token"), nil).fails(401, "unauthorized", "")
	audit := e.do("GET", "/api/v1/audit?entity=token&entity_id="+sid(wt), e.admin, nil).status(200).items()
	if len(audit) != 2 || audit[0]["action"] != "revoke" || audit[0]["actor"] != "admin@example.org" {
		t.Errorf("audit of the revoked token: %v", audit)
	}
}

// HEAD is answered wherever GET is (the server api.NewServer builds), headers
// without the body, for a read token too; a path without GET stays 405.
func TestHeadIsAnsweredLikeGet(t *testing.T) {
	e := newEnv(t)
	e.srv = newServer(t, api.NewServer("", api.New(api.Config{}, e.store)).Handler)
	rt := e.do("POST", "/api/v1/tokens", e.admin, map[string]any{"name": "BI", "scope": "read"}).status(201)
	read := rt.str("token")
	for _, p := range []string{"/api/v1/users", "/api/v1/exports/pledges.csv", "/healthz"} {
		get := e.do("GET", p, read, nil).status(200)
		head := e.do("HEAD", p, read, nil).status(200)
		if len(head.raw) != 0 || head.header.Get("Content-Type") != get.header.Get("Content-Type") {
			t.Errorf("HEAD %s: body %q, Content-Type %q (GET: %q)", p, head.raw, head.header.Get("Content-Type"), get.header.Get("Content-Type"))
		}
	}
	e.do("HEAD", "/api/v1/pledges", "", nil).status(401)
	e.do("HEAD", "/api/v1/auth/login", read, nil).status(405)
}
