package api_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// Issue 16: roles per fund, read-only tokens, and the route table walked
// with every role.

// clock is a store clock tests move forward.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// world is two funds, each with a pledge, a payment and a document, and a
// user of every role; the fund manager manages fund A only.
type world struct {
	*env
	fundA, fundB                 string // ids
	codeA, codeB                 string
	donor                        string
	pledgeA, pledgeB             string
	paidA, paidB                 string
	docA, docB                   string
	linkA, linkB                 string // donor links limited to fund A, fund B
	manager, viewer, auditor     string // session tokens
	managerID, viewerID          string
	readToken, managerWriteToken string
}

func sid(r *response) string { return strconv.FormatInt(r.id(), 10) }

func newWorld(t *testing.T, e *env) *world {
	w := &world{env: e, codeA: "fund-a", codeB: "fund-b"}
	w.fundA = sid(e.do("POST", "/api/v1/funds", e.admin, map[string]any{"code": w.codeA, "name": "Fund A", "target_usd": "1000000"}).status(201))
	w.fundB = sid(e.do("POST", "/api/v1/funds", e.admin, map[string]any{"code": w.codeB, "name": "Fund B", "target_usd": "1000000"}).status(201))
	w.donor = sid(e.do("POST", "/api/v1/donors", e.staff, map[string]any{"name": "Kingdom of Morocco", "kind": "government", "country_code": "MA"}).status(201))
	pledge := func(fund string) string {
		return sid(e.do("POST", "/api/v1/pledges", e.staff, map[string]any{"fund_id": jsonNumber(fund), "donor_id": jsonNumber(w.donor),
			"amount": "1000.00", "currency": "USD", "pledged_on": "2025-07-01"}).status(201))
	}
	w.pledgeA, w.pledgeB = pledge(w.fundA), pledge(w.fundB)
	pay := func(p string) string {
		return sid(e.do("POST", "/api/v1/contributions", e.staff, map[string]any{"pledge_id": jsonNumber(p), "amount": "10.00",
			"received_on": "2025-07-29"}).status(201))
	}
	w.paidA, w.paidB = pay(w.pledgeA), pay(w.pledgeB)
	w.docA = sid(e.upload("/api/v1/pledges/"+w.pledgeA+"/documents", e.staff, "agreement", "a.pdf", pdfFile, nil).status(201))
	w.docB = sid(e.upload("/api/v1/pledges/"+w.pledgeB+"/documents", e.staff, "agreement", "b.pdf", pdfFile, nil).status(201))
	link := func(fund string) string {
		return sid(e.do("POST", "/api/v1/donors/"+w.donor+"/links", e.staff, map[string]any{"fund_id": jsonNumber(fund),
			"expires_on": time.Now().AddDate(0, 1, 0).Format("2006-01-02")}).status(201))
	}
	w.linkA, w.linkB = link(w.fundA), link(w.fundB)
	user := func(email, role string, funds ...string) string {
		body := map[string]any{"email": email, "password": password, "role": role}
		if len(funds) > 0 {
			ids := []any{}
			for _, f := range funds {
				ids = append(ids, jsonNumber(f))
			}
			body["fund_ids"] = ids
		}
		return sid(e.do("POST", "/api/v1/users", e.admin, body).status(201))
	}
	w.managerID = user("manager@example.org", "fund_manager", w.fundA)
	w.viewerID = user("viewer@example.org", "viewer")
	user("auditor@example.org", "auditor")
	w.manager, w.viewer, w.auditor = e.login("manager@example.org", password), e.login("viewer@example.org", password), e.login("auditor@example.org", password)
	w.readToken = e.do("POST", "/api/v1/tokens", e.admin, map[string]any{"name": "BI", "scope": "read"}).status(201).str("token")
	w.managerWriteToken = e.do("POST", "/api/v1/tokens", w.manager, map[string]any{"name": "script", "scope": "write"}).status(201).str("token")
	return w
}

// upload sends a multipart document; extra sets more form fields (or, with
// a "Content-Type" key, the file part's declared type).
func (e *env) upload(path, token, kind, filename string, content []byte, extra map[string]string) *response {
	e.t.Helper()
	body, ct := multipartBody(kind, filename, content, extra)
	return e.do("POST", path, token, string(body), "Content-Type", ct)
}

func multipartBody(kind, filename string, content []byte, extra map[string]string) ([]byte, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if kind != "" {
		mw.WriteField("kind", kind)
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k != "Content-Type" {
			mw.WriteField(k, extra[k])
		}
	}
	if content != nil {
		h := textproto.MIMEHeader{}
		// As a hostile client would write it: a quoted name (quotes and
		// backslashes escaped), or, with CR or LF, RFC 2231's filename*.
		if strings.ContainsAny(filename, "\r\n") {
			h.Set("Content-Disposition", `form-data; name="file"; filename*=UTF-8''`+pctEncode(filename))
		} else {
			h.Set("Content-Disposition", `form-data; name="file"; filename="`+strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(filename)+`"`)
		}
		declared := extra["Content-Type"]
		if declared == "" {
			declared = "application/octet-stream"
		}
		h.Set("Content-Type", declared)
		p, _ := mw.CreatePart(h)
		p.Write(content)
	}
	mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

// Access levels of the route table (docs/access.md).
const (
	lvPublic   = "public"    // anyone
	lvSignedIn = "signed-in" // any role
	lvRead     = "read"      // every role reads
	lvShared   = "write"     // admin, staff, fund_manager (donors, rates)
	lvFund     = "fund"      // admin, staff; fund_manager on its funds only
	lvAudit    = "audit"     // admin, auditor
	lvAdmin    = "admin"
	lvStaff    = "staff"   // every role reads; only admin and staff write (the route table's staff alone)
	lvMetrics  = "metrics" // the metrics bearer token only: 401 for every user and session
)

// routeAccess pins who may call every route. TestEveryRouteWithEveryRole
// fails when a route is added without an entry here.
var routeAccess = map[string]string{
	"GET /healthz":            lvPublic,
	"GET /readyz":             lvPublic,
	"GET /metrics":            lvMetrics,
	"GET /api/openapi.json":   lvPublic,
	"GET /api/openapi.yaml":   lvPublic,
	"GET /":                   lvPublic,
	"GET /funds/:code":        lvPublic,
	"GET /staff":              lvPublic,
	"GET /static/*path":       lvPublic,
	"POST /api/v1/auth/login": lvPublic,

	"POST /api/v1/auth/logout":           lvSignedIn,
	"GET /api/v1/auth/me":                lvSignedIn,
	"GET /api/v1/tokens":                 lvSignedIn,
	"POST /api/v1/tokens":                lvSignedIn,
	"DELETE /api/v1/tokens/:id":          lvSignedIn,
	"GET /api/v1/users":                  lvAdmin,
	"POST /api/v1/users":                 lvAdmin,
	"PATCH /api/v1/users/:id":            lvAdmin,
	"GET /api/v1/funds":                  lvPublic,
	"POST /api/v1/funds":                 lvAdmin,
	"GET /api/v1/funds/:fund":            lvPublic,
	"PATCH /api/v1/funds/:fund":          lvAdmin,
	"GET /api/v1/funds/:fund/progress":   lvPublic,
	"GET /api/v1/funds/:fund/donors":     lvPublic,
	"GET /api/v1/funds/:fund/donors.csv": lvPublic,
	"GET /api/v1/funds/:fund/timeline":   lvPublic,

	"GET /api/v1/donors":               lvRead,
	"POST /api/v1/donors":              lvShared,
	"GET /api/v1/donors/:id":           lvRead,
	"PATCH /api/v1/donors/:id":         lvShared,
	"GET /api/v1/exchange-rates":       lvRead,
	"POST /api/v1/exchange-rates":      lvShared,
	"GET /api/v1/exchange-rates/quote": lvRead,

	"GET /api/v1/pledges":                      lvRead,
	"POST /api/v1/pledges":                     lvFund,
	"GET /api/v1/pledges/:id":                  lvRead,
	"PATCH /api/v1/pledges/:id":                lvFund,
	"POST /api/v1/pledges/:id/cancel":          lvFund,
	"POST /api/v1/pledges/:id/write-off":       lvFund,
	"PUT /api/v1/pledges/:id/schedule":         lvFund,
	"GET /api/v1/contributions":                lvRead,
	"POST /api/v1/contributions":               lvFund,
	"GET /api/v1/contributions/:id":            lvRead,
	"POST /api/v1/contributions/:id/void":      lvFund,
	"GET /api/v1/pledges/:id/documents":        lvRead,
	"POST /api/v1/pledges/:id/documents":       lvFund,
	"GET /api/v1/contributions/:id/documents":  lvRead,
	"POST /api/v1/contributions/:id/documents": lvFund,
	"GET /api/v1/documents/:id":                lvRead,
	"POST /api/v1/documents/:id/supersede":     lvFund,
	"GET /api/v1/exports/contributions.csv":    lvRead,
	"GET /api/v1/exports/pledges.csv":          lvRead,
	// Issue 14: the public breakdown, merging duplicate donors (admin).
	"GET /api/v1/funds/:fund/breakdown": lvPublic,
	"POST /api/v1/donors/:id/merge":     lvAdmin,
	// Issue 11: ageing and forecast (staff reads).
	"GET /api/v1/funds/:fund/ageing":      lvRead,
	"GET /api/v1/funds/:fund/ageing.csv":  lvRead,
	"GET /api/v1/funds/:fund/ageing.xlsx": lvRead,
	"GET /api/v1/funds/:fund/forecast":    lvRead,
	// Issue 12: imports (each row checked against its fund).
	"POST /api/v1/imports":                lvShared,
	"GET /api/v1/imports":                 lvRead,
	"GET /api/v1/imports/:id":             lvRead,
	"GET /api/v1/imports/templates/:file": lvRead,
	// Issue 11: reminders.
	"GET /api/v1/reminders":                   lvRead,
	"POST /api/v1/reminders/run":              lvAdmin,
	"GET /api/v1/reminders/:id/message":       lvRead,
	"POST /api/v1/reminders/:id/sent-by-hand": lvStaff,
	// Issue 15: public pages, open data, donor links, acknowledgements.
	"GET /api/v1/funds/:fund/snapshot.zip":       lvPublic,
	"GET /api/v1/donors/:id/links":               lvRead,
	"POST /api/v1/donors/:id/links":              lvShared,
	"DELETE /api/v1/donor-links/:id":             lvFund,
	"GET /api/v1/donor-view/:token":              lvPublic,
	"GET /api/v1/contributions/:id/receipt":      lvRead,
	"POST /api/v1/contributions/:id/acknowledge": lvFund,
	"GET /robots.txt":                            lvPublic,
	"GET /donor/:token":                          lvPublic,
	"GET /contributions/:id/receipt":             lvRead,
	"GET /embed/funds/:code":                     lvPublic,
	"GET /badge/funds/:file":                     lvPublic,
	// Issue 13: reporting.
	"GET /api/v1/exports/contributions.xlsx":    lvRead,
	"GET /api/v1/exports/pledges.xlsx":          lvRead,
	"GET /api/v1/exports/fts.csv":               lvRead,
	"GET /api/v1/funds/:fund/donors.xlsx":       lvPublic,
	"GET /api/v1/funds/:fund/iati-activity.xml": lvPublic,
	"GET /funds/:code/report":                   lvRead,
	"GET /api/v1/audit":                         lvAudit,
}

// actor is who calls a route in the walk.
type walkActor struct {
	name  string
	token func(w *world) string // "" is anonymous
	role  string                // the role whose rights apply ("" anonymous)
	read  bool                  // a read-scope token
}

var walkActors = []walkActor{
	{"anonymous", func(*world) string { return "" }, "", false},
	{"admin", func(w *world) string { return w.admin }, "admin", false},
	{"staff", func(w *world) string { return w.staff }, "staff", false},
	{"fund_manager", func(w *world) string { return w.manager }, "fund_manager", false},
	{"fund_manager write token", func(w *world) string { return w.managerWriteToken }, "fund_manager", false},
	{"viewer", func(w *world) string { return w.viewer }, "viewer", false},
	{"auditor", func(w *world) string { return w.auditor }, "auditor", false},
	{"admin read token", func(w *world) string { return w.readToken }, "admin", true},
}

// expected is the status class a caller gets: 0 when let through (any
// answer but 401, 403 and 500), else 401 or 403.
func expected(level, method string, a walkActor, ownFund bool) int {
	if level == lvMetrics {
		return http.StatusUnauthorized
	}
	if a.role == "" {
		if level == lvPublic {
			return 0
		}
		return http.StatusUnauthorized
	}
	if a.read && method != http.MethodGet && method != http.MethodHead {
		return http.StatusForbidden
	}
	allowed := false
	switch level {
	case lvPublic, lvSignedIn, lvRead:
		allowed = true
	case lvShared:
		allowed = a.role == "admin" || a.role == "staff" || a.role == "fund_manager"
	case lvFund:
		allowed = a.role == "admin" || a.role == "staff" || (a.role == "fund_manager" && ownFund)
	case lvAudit:
		allowed = a.role == "admin" || a.role == "auditor"
	case lvAdmin:
		allowed = a.role == "admin"
	case lvStaff:
		allowed = method == http.MethodGet || a.role == "admin" || a.role == "staff"
	}
	if allowed {
		return 0
	}
	return http.StatusForbidden
}

// TestEveryRouteWithEveryRole walks every route of the router with every
// role, anonymously and with a read token, on records of the fund manager's
// fund and of another fund, and pins who is let through (401, 403 or not).
func TestEveryRouteWithEveryRole(t *testing.T) {
	e := newEnv(t)
	w := newWorld(t, e)
	routes := e.srv.Config.Handler.(*gin.Engine).Routes()
	seen := map[string]bool{}
	for _, r := range routes {
		key := r.Method + " " + r.Path
		seen[key] = true
		level, ok := routeAccess[key]
		if !ok {
			t.Errorf("route %s has no entry in routeAccess: say who may call it (docs/access.md)", key)
			continue
		}
		for _, own := range []bool{false, true} {
			if own && level != lvFund {
				continue
			}
			path, body := w.fill(r.Path, own)
			for _, a := range walkActors {
				token := a.token(w)
				if key == "POST /api/v1/auth/logout" && token != "" && !a.read {
					token = w.freshSession(a.name)
				}
				var res *response
				if strings.HasSuffix(r.Path, "/documents") && r.Method == "POST" {
					res = e.upload(path, token, "other", "note.txt", []byte("walk\n"), nil)
				} else {
					res = e.do(r.Method, path, token, body)
				}
				want := expected(level, r.Method, a, own)
				got := res.code
				switch {
				case got == http.StatusInternalServerError:
					t.Errorf("%s %s as %s: 500: %s", r.Method, path, a.name, res.raw)
				case want == 0 && (got == 401 || got == 403):
					t.Errorf("%s %s as %s (%s): %d, want it let through: %s", r.Method, path, a.name, level, got, res.raw)
				case want != 0 && got != want:
					t.Errorf("%s %s as %s (%s): %d, want %d: %s", r.Method, path, a.name, level, got, want, res.raw)
				}
				if got == http.StatusForbidden && level == lvFund && !own {
					// A refusal names no record it hides.
					for _, hidden := range []string{w.pledgeB, w.paidB, w.docB, w.codeB, "Fund B"} {
						if msg := fmt.Sprint(res.body["error"]); strings.Contains(msg, " "+hidden+" ") || strings.Contains(msg, hidden+".") {
							t.Errorf("%s %s as %s: the 403 names %q: %s", r.Method, path, a.name, hidden, res.raw)
						}
					}
				}
			}
		}
	}
	for key := range routeAccess {
		if !seen[key] {
			t.Errorf("routeAccess has %s, which is not routed", key)
		}
	}
}

// freshSession signs in again the user of an actor (logout revokes the session it uses).
func (w *world) freshSession(actor string) string {
	email := map[string]string{"admin": "admin@example.org", "staff": "staff@example.org", "fund_manager": "manager@example.org",
		"viewer": "viewer@example.org", "auditor": "auditor@example.org"}[actor]
	if email == "" { // a token's logout revokes it: make another
		return w.do("POST", "/api/v1/tokens", w.manager, map[string]any{"name": "script", "scope": "write"}).status(201).str("token")
	}
	return w.login(email, password)
}

// fill makes a route's path name real records, of the fund manager's fund
// (own) or of the other fund, and the body a write names its fund with.
func (w *world) fill(path string, own bool) (string, any) {
	pledge, paid, doc, fund, link := w.pledgeB, w.paidB, w.docB, w.fundB, w.linkB
	if own {
		pledge, paid, doc, fund, link = w.pledgeA, w.paidA, w.docA, w.fundA, w.linkA
	}
	id := "999999"
	switch {
	case strings.HasPrefix(path, "/api/v1/pledges/:id"):
		id = pledge
	case strings.HasPrefix(path, "/api/v1/contributions/:id"):
		id = paid
	case strings.HasPrefix(path, "/api/v1/documents/:id"):
		id = doc
	case strings.HasPrefix(path, "/api/v1/donors/:id"):
		id = w.donor
	case strings.HasPrefix(path, "/api/v1/donor-links/:id"):
		id = link
	}
	p := strings.NewReplacer(":id", id, ":fund", w.codeB, ":code", w.codeB, "*path", "no-such-file.js").Replace(path)
	var body any
	switch path {
	case "/api/v1/pledges":
		body = map[string]any{"fund_id": jsonNumber(fund)}
	case "/api/v1/contributions":
		body = map[string]any{"pledge_id": jsonNumber(pledge)}
	}
	return p, body
}

// pctEncode writes every byte but letters and digits as %XX (RFC 2231).
func pctEncode(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
