package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/fundtracker/fundtracker/api"
	"github.com/fundtracker/fundtracker/frontend"
	"github.com/fundtracker/fundtracker/models"
	"github.com/fundtracker/fundtracker/store/storetest"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/gin-gonic/gin"
)

// Who may call an operation, as its x-access says.
var accessLevels = []string{"public", "signed-in", "read", "write", "fund-write", "staff", "audit", "admin", "metrics"}

// loadDoc parses an OpenAPI document and validates it as OpenAPI 3 (examples included).
func loadDoc(t *testing.T, raw []byte) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatalf("the OpenAPI document does not parse: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is not valid OpenAPI 3: %v", err)
	}
	return doc
}

var ginParam = regexp.MustCompile(`[:*]([A-Za-z_][A-Za-z0-9_]*)`)

// routed lists the "METHOD /path" of every gin route, written as OpenAPI
// paths: ":id" and the catch-all "*path" become "{id}" and "{path}".
func routed(t *testing.T, h http.Handler) []string {
	t.Helper()
	engine, ok := h.(*gin.Engine)
	if !ok {
		t.Fatalf("api.New returned a %T, not a *gin.Engine", h)
	}
	var out []string
	for _, r := range engine.Routes() {
		out = append(out, r.Method+" "+ginParam.ReplaceAllString(r.Path, "{$1}"))
	}
	sort.Strings(out)
	return out
}

// documented lists the "METHOD /path" of every operation in the document.
func documented(doc *openapi3.T) []string {
	var out []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, method+" "+path)
		}
	}
	sort.Strings(out)
	return out
}

// without returns the entries of a that are not in b.
func without(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

// TestOpenAPIDocumentsEveryRouteAndNothingElse compares the gin route table
// with the document's operations, both ways.
func TestOpenAPIDocumentsEveryRouteAndNothingElse(t *testing.T) {
	doc := loadDoc(t, api.OpenAPIYAML)
	h := api.New(api.Config{}, storetest.Open(t))
	routes, ops := routed(t, h), documented(doc)
	if len(routes) == 0 {
		t.Fatal("no routes found")
	}
	if missing := without(routes, ops); len(missing) > 0 {
		t.Errorf("routed but not in api/openapi.yaml:\n  %s", strings.Join(missing, "\n  "))
	}
	if extra := without(ops, routes); len(extra) > 0 {
		t.Errorf("in api/openapi.yaml but not routed:\n  %s", strings.Join(extra, "\n  "))
	}

	// The comparison sees drift either way: a route added without its
	// documentation, and documentation of a path nobody routes.
	h.(*gin.Engine).DELETE("/api/v1/funds/:fund", func(*gin.Context) {})
	doc.Paths.Set("/api/v1/unrouted/{id}", &openapi3.PathItem{Get: &openapi3.Operation{}})
	got := [][]string{without(routed(t, h), documented(doc)), without(documented(doc), routed(t, h))}
	for i, want := range []string{"DELETE /api/v1/funds/{fund}", "GET /api/v1/unrouted/{id}"} {
		if !slices.Contains(got[i], want) {
			t.Errorf("the drift check missed %q (found %q)", want, got[i])
		}
	}
}

// TestOpenAPIOperationsSayWhoMayCallThem checks that every operation has an
// x-access consistent with its security and documented refusals, and that
// the ledger's creates (not users' or tokens') take an Idempotency-Key.
func TestOpenAPIOperationsSayWhoMayCallThem(t *testing.T) {
	doc := loadDoc(t, api.OpenAPIYAML)
	for _, op := range documented(doc) {
		method, path, _ := strings.Cut(op, " ")
		o := doc.Paths.Value(path).GetOperation(method)
		access, _ := o.Extensions["x-access"].(string)
		switch {
		case !slices.Contains(accessLevels, access):
			t.Errorf("%s: x-access is %q, want one of %v", op, o.Extensions["x-access"], accessLevels)
		case (access == "public") != (o.Security != nil && len(*o.Security) == 0):
			t.Errorf("%s: x-access %s but security %v (public operations, and only they, need none)", op, access, o.Security)
		case access != "public" && o.Responses.Status(http.StatusUnauthorized) == nil:
			t.Errorf("%s: x-access %s but no 401 documented", op, access)
		case access != "public" && access != "signed-in" && access != "read" && access != "metrics" && o.Responses.Status(http.StatusForbidden) == nil:
			t.Errorf("%s: x-access %s but no 403 documented", op, access)
		case strings.HasPrefix(path, "/api/v1/") && method == http.MethodPost && o.Responses.Status(http.StatusCreated) != nil &&
			!hasParam(o, "header", "Idempotency-Key") && !strings.HasPrefix(path, "/api/v1/users") && !strings.HasPrefix(path, "/api/v1/tokens") &&
			!strings.HasSuffix(path, "/links"): // issue 15: a replay would store the link's secret
			t.Errorf("%s: a create without the Idempotency-Key header", op)
		}
	}
}

func hasParam(o *openapi3.Operation, in, name string) bool {
	for _, p := range o.Parameters {
		if p.Value.In == in && p.Value.Name == name {
			return true
		}
	}
	return false
}

func TestOpenAPIIsServed(t *testing.T) {
	e := newEnv(t)
	want := documented(loadDoc(t, api.OpenAPIYAML))
	for _, c := range []struct{ path, contentType string }{
		{"/api/openapi.json", "application/json"},
		{"/api/openapi.yaml", "application/yaml"},
	} {
		r := e.do("GET", c.path, "", nil).status(http.StatusOK)
		if ct, _, _ := mime.ParseMediaType(r.header.Get("Content-Type")); ct != c.contentType {
			t.Errorf("%s: Content-Type %q, want %s", c.path, r.header.Get("Content-Type"), c.contentType)
		}
		if c.contentType == "application/json" && !json.Valid(r.raw) {
			t.Fatalf("%s is not JSON: %.200s", c.path, r.raw)
		}
		if got := documented(loadDoc(t, r.raw)); !slices.Equal(got, want) {
			t.Errorf("%s documents %d operations, api/openapi.yaml %d: missing %q, extra %q",
				c.path, len(got), len(want), without(want, got), without(got, want))
		}
	}
}

// conformance sends requests through a real server and checks every answer
// against the document: its status is documented for that operation, its
// headers and body match the schemas. A request the server accepts (2xx) must
// also be one the document allows.
type conformance struct {
	*env
	doc    *openapi3.T
	router *gin.Engine // the server's routes, answering which one matched
	ok     map[string]bool
}

func newConformance(t *testing.T) *conformance {
	e := newEnv(t)
	c := &conformance{env: e, doc: loadDoc(t, api.OpenAPIYAML), router: gin.New(), ok: map[string]bool{}}
	for _, r := range e.srv.Config.Handler.(*gin.Engine).Routes() {
		c.router.Handle(r.Method, r.Path, func(g *gin.Context) {
			g.Header("X-Route", ginParam.ReplaceAllString(g.FullPath(), "{$1}"))
			for _, p := range g.Params {
				g.Header("X-Param-"+p.Key, strings.TrimPrefix(p.Value, "/")) // a catch-all keeps its leading slash
			}
		})
	}
	return c
}

// route finds the documented operation the server routes a request to, and its path parameters.
func (c *conformance) route(req *http.Request) (*routers.Route, map[string]string) {
	c.t.Helper()
	rec := httptest.NewRecorder()
	c.router.ServeHTTP(rec, req)
	path := rec.Header().Get("X-Route")
	item := c.doc.Paths.Value(path)
	if path == "" || item == nil || item.GetOperation(req.Method) == nil {
		c.t.Fatalf("%s %s: no operation in the document (route %q)", req.Method, req.URL, path)
	}
	params := map[string]string{}
	for k, v := range rec.Header() {
		if name, ok := strings.CutPrefix(k, "X-Param-"); ok {
			params[strings.ToLower(name)] = v[0]
		}
	}
	return &routers.Route{Spec: c.doc, Path: path, PathItem: item, Method: req.Method, Operation: item.GetOperation(req.Method)}, params
}

// bodyDecoders are the media types whose bodies kin-openapi decodes and checks
// against their schema; others are checked for a documented media type only.
var bodyDecoders = []string{"application/json", "application/yaml", "text/csv", "text/plain"}

func (c *conformance) call(method, path, token string, body any, headers ...string) *response {
	c.t.Helper()
	r := c.do(method, path, token, body, headers...)
	// The same request again, for the validator (credentials are checked by TestOpenAPIAccessIsAsDocumented).
	req := httptest.NewRequest(method, path, bytes.NewReader(bodyBytes(body)))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	route, params := c.route(req)
	op := method + " " + route.Path
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true, MultiError: true}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if r.code < 300 {
		c.ok[op] = true
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			c.t.Errorf("%s %s was accepted (%d) but the document refuses the request: %v", method, path, r.code, err)
		}
	}
	if r.code != http.StatusInternalServerError && route.Operation.Responses.Status(r.code) == nil {
		c.t.Errorf("%s %s answered %d, a status not listed for %s", method, path, r.code, op) // not even by default
	}
	ct, _, _ := mime.ParseMediaType(r.header.Get("Content-Type"))
	resOpts := *opts
	if !slices.Contains(bodyDecoders, ct) && r.code != http.StatusNotModified {
		resOpts.ExcludeResponseBody = true
		if res := route.Operation.Responses.Status(r.code); res != nil && len(res.Value.Content) > 0 && res.Value.Content.Get(ct) == nil {
			c.t.Errorf("%s %s answered %d as %q, which is not documented", method, path, r.code, ct)
		}
	}
	err := openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: r.code, Header: r.header, Body: io.NopCloser(bytes.NewReader(r.raw)), Options: &resOpts})
	if err != nil {
		c.t.Errorf("%s %s answered %d, not as documented: %v\nbody: %.500s", method, path, r.code, err, r.raw)
	}
	return r
}

// TestOpenAPIMatchesEveryAnswer runs every operation through a real server on
// a fresh database and checks each request and answer against the document;
// every documented operation must have answered 2xx at least once.
func TestOpenAPIMatchesEveryAnswer(t *testing.T) {
	c := newConformance(t)
	admin, staff := c.admin, c.staff
	id := func(r *response) string { return strconv.FormatInt(r.id(), 10) }

	// Operations and documentation.
	c.call("GET", "/metrics", testMetricsToken, nil).status(http.StatusOK)
	for _, p := range []string{"/healthz", "/readyz", "/api/openapi.json", "/api/openapi.yaml", "/", "/staff",
		frontend.AssetURL("js/fund.js")} {
		c.call("GET", p, "", nil).status(http.StatusOK)
	}

	// Users and tokens.
	c.call("GET", "/api/v1/auth/me", staff, nil).status(http.StatusOK)
	user := c.call("POST", "/api/v1/users", admin, map[string]any{"email": "clerk@example.org", "password": password, "role": "staff"}).status(http.StatusCreated)
	c.call("PATCH", "/api/v1/users/"+id(user), admin, map[string]any{"active": false}).status(http.StatusOK)
	c.call("GET", "/api/v1/users?limit=1", admin, nil).status(http.StatusOK)
	tok := c.call("POST", "/api/v1/tokens", staff, map[string]any{"name": "report script", "scope": "read", "expires_on": "2030-12-31"}).status(http.StatusCreated)
	c.call("GET", "/api/v1/tokens", tok.str("token"), nil).status(http.StatusOK)
	c.call("GET", "/api/v1/tokens?user_id="+id(user), admin, nil).status(http.StatusOK)
	c.call("DELETE", "/api/v1/tokens/"+id(tok), staff, nil).status(http.StatusNoContent)
	session := c.call("POST", "/api/v1/auth/login", "", map[string]any{"email": "admin@example.org", "password": password}).status(http.StatusOK)
	c.call("POST", "/api/v1/auth/logout", session.str("token"), nil).status(http.StatusNoContent)
	c.call("POST", "/api/v1/auth/login", "", map[string]any{"email": "clerk@example.org", "password": password}).fails(http.StatusUnauthorized, "unauthorized", "")

	// Funds and their public reads, with revalidation.
	fundBody := map[string]any{"code": "resilience", "name": "Resilience Fund", "organization": "IOM", "target_usd": 1000000,
		"opens_on": "2024-07-01", "closes_on": nil}
	fund := id(c.call("POST", "/api/v1/funds", admin, fundBody, "Idempotency-Key", "fund-1").status(http.StatusCreated))
	c.call("POST", "/api/v1/funds", admin, fundBody, "Idempotency-Key", "fund-1").status(http.StatusCreated)
	c.call("GET", "/funds/"+fund+"?lang=fr", "", nil).status(http.StatusOK)
	c.call("GET", "/funds/no-such-fund?lang=ar", "", nil).status(http.StatusNotFound)
	c.call("POST", "/api/v1/funds", admin, fundBody).fails(http.StatusConflict, "conflict", "code")
	c.call("PATCH", "/api/v1/funds/"+fund, admin, map[string]any{"description": "Pooled, unearmarked."}).status(http.StatusOK)
	etag := c.call("GET", "/api/v1/funds/resilience", "", nil).status(http.StatusOK).header.Get("ETag")
	c.call("GET", "/api/v1/funds/resilience", "", nil, "If-None-Match", etag).status(http.StatusNotModified)
	c.call("GET", "/api/v1/funds?limit=1", "", nil).status(http.StatusOK)

	// Donors, rates, pledges, contributions.
	donor := id(c.call("POST", "/api/v1/donors", staff, map[string]any{"name": "Kingdom of Morocco", "kind": "government", "country_code": "MA"}).status(http.StatusCreated))
	anon := id(c.call("POST", "/api/v1/donors", staff, map[string]any{"name": "Jane Secret", "kind": "individual", "anonymous": true}, "Idempotency-Key", "d-2").status(http.StatusCreated))
	c.call("PATCH", "/api/v1/donors/"+donor, staff, map[string]any{"contact_email": "finance@example.org"}).status(http.StatusOK)
	c.call("GET", "/api/v1/donors/"+donor, staff, nil).status(http.StatusOK)
	c.call("GET", "/api/v1/donors?q=moro&fund_id="+fund, staff, nil).status(http.StatusOK)
	c.call("POST", "/api/v1/donors", staff, map[string]any{"name": "X", "kind": "alien"}).fails(http.StatusUnprocessableEntity, "validation_failed", "kind")
	c.call("POST", "/api/v1/exchange-rates", staff, map[string]any{"currency": "EUR", "effective_on": "2024-07-01", "units_per_usd": "0.9",
		"source": "UN operational rate"}, "Idempotency-Key", "rate-1").status(http.StatusCreated)
	c.call("POST", "/api/v1/exchange-rates", staff, map[string]any{"currency": "EUR", "effective_on": "2024-07-01", "units_per_usd": 0.91}).fails(http.StatusConflict, "conflict", "")
	c.call("GET", "/api/v1/exchange-rates?currency=EUR", staff, nil).status(http.StatusOK)
	c.call("GET", "/api/v1/exchange-rates/quote?currency=EUR&on=2024-08-01&amount=900.00", staff, nil).status(http.StatusOK)
	c.call("GET", "/api/v1/exchange-rates/quote?currency=EUR", staff, nil).status(http.StatusOK)
	pledge := id(c.call("POST", "/api/v1/pledges", staff, map[string]any{"fund_id": jsonNumber(fund), "donor_id": jsonNumber(donor), "amount": "900000.00",
		"currency": "EUR", "pledged_on": "2024-07-20", "due_on": "2099-12-31", "stage": "commitment"}, "Idempotency-Key", "p-1").status(http.StatusCreated))
	other := id(c.call("POST", "/api/v1/pledges", staff, map[string]any{"fund_id": jsonNumber(fund), "donor_id": jsonNumber(anon), "amount": 5000,
		"currency": "USD", "pledged_on": "2024-08-01"}).status(http.StatusCreated))
	c.call("PATCH", "/api/v1/pledges/"+pledge, staff, map[string]any{"reference": "AGR-7", "due_on": nil}).status(http.StatusOK)
	c.call("POST", "/api/v1/pledges/"+other+"/cancel", staff, map[string]any{"reason": "Withdrawn"}).status(http.StatusOK)
	c.call("POST", "/api/v1/pledges/"+other+"/cancel", staff, map[string]any{"reason": "Again"}).fails(http.StatusConflict, "conflict", "")
	c.call("GET", "/api/v1/pledges/"+pledge, staff, nil).status(http.StatusOK)
	// Issue 11: schedules, reschedule, write-off.
	sched := id(c.call("POST", "/api/v1/pledges", staff, map[string]any{"fund_id": jsonNumber(fund), "donor_id": jsonNumber(donor), "amount": "1000.00",
		"currency": "USD", "pledged_on": "2024-08-01", "schedule": map[string]any{"instalments": 4, "every": "quarter", "first_due_on": "2024-09-30"}}).status(http.StatusCreated))
	c.call("PUT", "/api/v1/pledges/"+sched+"/schedule", staff, map[string]any{"schedule": []any{map[string]any{"due_on": "2024-12-31", "amount": "400.00"},
		map[string]any{"due_on": "2025-12-31", "amount": "600.00"}}}).status(http.StatusOK)
	c.call("PUT", "/api/v1/pledges/"+sched+"/schedule", staff, map[string]any{"schedule": []any{map[string]any{"due_on": "2024-12-31", "amount": "400.00"}}}).
		fails(http.StatusUnprocessableEntity, "validation_failed", "schedule")
	c.call("POST", "/api/v1/pledges/"+sched+"/write-off", staff, map[string]any{"amount": "100.00", "reason": "Will not be paid"}).status(http.StatusOK)
	c.call("POST", "/api/v1/pledges/"+other+"/write-off", staff, map[string]any{"reason": "Cancelled"}).fails(http.StatusConflict, "conflict", "")
	c.call("GET", "/api/v1/funds/"+fund+"/ageing", staff, nil).status(http.StatusOK)
	c.call("GET", "/api/v1/funds/"+fund+"/ageing?as_of=2024-12-31", staff, nil).status(http.StatusOK)
	c.call("GET", "/api/v1/funds/"+fund+"/ageing?as_of=2024-12-32", staff, nil).fails(http.StatusUnprocessableEntity, "validation_failed", "as_of")
	c.call("GET", "/api/v1/funds/"+fund+"/ageing.csv?as_of=2024-12-31&bom=1", staff, nil).status(http.StatusOK)
	c.call("GET", "/api/v1/funds/"+fund+"/ageing.xlsx?lang=fr", staff, nil).status(http.StatusOK)
	c.call("GET", "/api/v1/funds/"+fund+"/forecast?from=2024-09&months=24", staff, nil).status(http.StatusOK)
	c.call("GET", "/api/v1/funds/"+fund+"/forecast?from=2024-9&months=61", staff, nil).fails(http.StatusUnprocessableEntity, "validation_failed", "months")
	c.call("GET", "/api/v1/pledges?status=cancelled&fund_id="+fund, staff, nil).status(http.StatusOK)
	paid := id(c.call("POST", "/api/v1/contributions", staff, map[string]any{"pledge_id": jsonNumber(pledge), "amount": "450000.00",
		"received_on": "2024-07-29", "reference": "TT-1"}, "Idempotency-Key", "c-1").status(http.StatusCreated))
	c.call("POST", "/api/v1/contributions", staff, map[string]any{"pledge_id": jsonNumber(pledge), "amount": "450000.00",
		"received_on": "2024-07-29", "reference": "TT-1"}, "Idempotency-Key", "c-1").status(http.StatusCreated)
	gift := id(c.call("POST", "/api/v1/contributions", staff, map[string]any{"fund_id": jsonNumber(fund), "donor_id": jsonNumber(anon), "amount": 1000.5,
		"currency": "USD", "received_on": "2024-08-02", "pledge_id": nil}).status(http.StatusCreated))
	c.call("POST", "/api/v1/contributions", staff, map[string]any{"fund_id": jsonNumber(fund), "donor_id": jsonNumber(anon), "amount": "1.001",
		"currency": "USD", "received_on": "2024-08-02"}).fails(http.StatusUnprocessableEntity, "validation_failed", "amount")
	c.call("POST", "/api/v1/contributions/"+gift+"/void", staff, map[string]any{"reason": "Bounced"}).status(http.StatusOK)
	c.call("GET", "/api/v1/contributions/"+paid, staff, nil).status(http.StatusOK)
	c.call("GET", "/api/v1/contributions/999999", staff, nil).fails(http.StatusNotFound, "not_found", "")
	c.call("GET", "/api/v1/contributions?from=2024-07-01&to=2024-12-31&limit=1", staff, nil).status(http.StatusOK)
	c.call("GET", "/api/v1/contributions?totals=1&voided=exclude&q=morocco&currency=EUR&earmarking=unearmarked", staff, nil).status(http.StatusOK)
	c.call("GET", "/api/v1/pledges?totals=1&stage=commitment&from=2024-01-01&to=2024-12-31&limit=1", staff, nil).status(http.StatusOK)
	c.call("POST", "/api/v1/contributions", staff, `{"amount": "1", "amount": "2"}`).fails(http.StatusBadRequest, "invalid_json", "")

	// Documents (issue 16).
	body, ct := multipartBody("agreement", "agreement.pdf", pdfFile, map[string]string{"note": "Signed SAA"})
	doc := id(c.call("POST", "/api/v1/pledges/"+pledge+"/documents", staff, string(body), "Content-Type", ct).status(http.StatusCreated))
	body, ct = multipartBody("remittance", "advice.txt", []byte("Remittance advice TT-1\n"), nil)
	c.call("POST", "/api/v1/contributions/"+paid+"/documents", staff, string(body), "Content-Type", ct).status(http.StatusCreated)
	body, ct = multipartBody("other", "x.pdf", []byte("\x7fELF\x02\x01\x01\x00\x00\x00"), nil)
	c.call("POST", "/api/v1/pledges/"+pledge+"/documents", staff, string(body), "Content-Type", ct).fails(http.StatusUnsupportedMediaType, "unsupported_media_type", "")
	c.call("GET", "/api/v1/pledges/"+pledge+"/documents", staff, nil).status(http.StatusOK)
	c.call("GET", "/api/v1/contributions/"+paid+"/documents", staff, nil).status(http.StatusOK)
	c.call("GET", "/api/v1/documents/"+doc, staff, nil).status(http.StatusOK)

	// Issue 12: imports (dry run, refused commit, commit, list, one).
	csvFile := []byte("fund_code,donor_name,amount,currency,received_on,reference\nresilience,Kingdom of Morocco,10.00,USD,2025-08-01,IMP-1\n")
	body, ct = multipartBody("contributions", "statement.csv", csvFile, nil)
	c.call("POST", "/api/v1/imports", staff, string(body), "Content-Type", ct).status(http.StatusOK)
	body, ct = multipartBody("contributions", "bad.csv", []byte("amount,currency\nabc,USD\n"), map[string]string{"mode": "commit"})
	c.call("POST", "/api/v1/imports", staff, string(body), "Content-Type", ct).fails(http.StatusUnprocessableEntity, "validation_failed", "file")
	body, ct = multipartBody("contributions", "statement.csv", csvFile, map[string]string{"mode": "commit"})
	imp := id(c.call("POST", "/api/v1/imports", staff, string(body), "Content-Type", ct).status(http.StatusCreated))
	c.call("GET", "/api/v1/imports?limit=5", staff, nil).status(http.StatusOK)
	c.call("GET", "/api/v1/imports/"+imp, staff, nil).status(http.StatusOK)
	c.call("GET", "/api/v1/imports/templates/contributions.csv?lang=fr", staff, nil).status(http.StatusOK)
	c.call("GET", "/api/v1/imports/templates/rates.xlsx?lang=ar", staff, nil).status(http.StatusOK)
	c.call("GET", "/api/v1/imports/templates/grants.csv", staff, nil).fails(http.StatusNotFound, "not_found", "")
	c.call("POST", "/api/v1/documents/"+doc+"/supersede", staff, map[string]any{"reason": "Replaced by the countersigned copy"}).status(http.StatusOK)
	c.call("PATCH", "/api/v1/funds/"+fund, admin, map[string]any{"require_agreement_for_commitment": true}).status(http.StatusOK)
	// Issue 14: duplicate donors and merges.
	c.call("POST", "/api/v1/donors", staff, map[string]any{"name": "kingdom of  MOROCCO", "kind": "government", "country_code": "ma"}).fails(http.StatusConflict, "conflict", "")
	twin := id(c.call("POST", "/api/v1/donors", staff, map[string]any{"name": "Kingdom of Morocco", "kind": "government", "country_code": "MA",
		"allow_duplicate": true}).status(http.StatusCreated))
	c.call("POST", "/api/v1/donors/"+twin+"/merge", admin, map[string]any{"into_id": jsonNumber(donor), "reason": "Entered twice"}).status(http.StatusOK)
	c.call("POST", "/api/v1/donors/"+twin+"/merge", admin, map[string]any{"into_id": jsonNumber(donor), "reason": "Again"}).fails(http.StatusConflict, "conflict", "")

	// Issue 11: reminders (a policy, a donor's language, a run, the outbox).
	c.call("PATCH", "/api/v1/funds/"+fund, admin, map[string]any{"reminder_policy": map[string]any{"before_due_days": 14, "overdue_every_days": 30,
		"max_overdue": 3}}).status(http.StatusOK)
	c.call("PATCH", "/api/v1/funds/"+fund, admin, map[string]any{"reminder_policy": map[string]any{"before_due_days": -1}}).
		fails(http.StatusUnprocessableEntity, "validation_failed", "reminder_policy.before_due_days")
	c.call("PATCH", "/api/v1/donors/"+donor, staff, map[string]any{"language": "fr"}).status(http.StatusOK)
	c.call("POST", "/api/v1/reminders/run", admin, nil).status(http.StatusOK)
	c.call("GET", "/api/v1/reminders?status=pending&fund_id="+fund+"&limit=5", staff, nil).status(http.StatusOK)
	c.call("GET", "/api/v1/reminders?status=maybe", staff, nil).fails(http.StatusUnprocessableEntity, "validation_failed", "status")
	// Without a mail server: the message to send by hand, then marked sent by hand.
	pendingReminders := c.call("GET", "/api/v1/reminders?status=pending", staff, nil).status(http.StatusOK).items()
	if len(pendingReminders) == 0 {
		t.Fatal("no pending reminder to send by hand")
	}
	rem := strconv.FormatInt(int64(pendingReminders[0]["id"].(float64)), 10)
	c.call("GET", "/api/v1/reminders/"+rem+"/message", staff, nil).status(http.StatusOK)
	c.call("POST", "/api/v1/reminders/"+rem+"/sent-by-hand", staff, map[string]any{"note": strings.Repeat("x", 1001)}).
		fails(http.StatusUnprocessableEntity, "validation_failed", "note")
	c.call("POST", "/api/v1/reminders/"+rem+"/sent-by-hand", staff, map[string]any{"note": "Sent from the fund's mailbox"}).status(http.StatusOK)
	c.call("POST", "/api/v1/reminders/"+rem+"/sent-by-hand", staff, map[string]any{}).fails(http.StatusConflict, "conflict", "")

	// Reports and exports.
	for _, p := range []string{"/breakdown", "/breakdown?as_of=2024-07-30", "/progress", "/progress?as_of=2024-07-28", "/donors", "/donors.csv?bom=1", "/timeline?interval=day", "/timeline"} {
		c.call("GET", "/api/v1/funds/resilience"+p, "", nil).status(http.StatusOK)
	}
	c.call("GET", "/api/v1/funds/resilience/progress?as_of=2024-13-01", "", nil).fails(http.StatusUnprocessableEntity, "validation_failed", "as_of")
	c.call("GET", "/api/v1/exports/contributions.csv?fund_id="+fund, staff, nil).status(http.StatusOK)
	c.call("GET", "/api/v1/exports/pledges.csv?status=open", staff, nil).status(http.StatusOK)
	c.call("GET", "/api/v1/audit?entity=pledge&entity_id="+pledge, admin, nil).status(http.StatusOK)

	// Issue 13: Excel, IATI, FTS.
	c.call("GET", "/api/v1/funds/resilience/iati-activity.xml", "", nil).fails(http.StatusUnprocessableEntity, "validation_failed", "iati_identifier")
	c.call("PATCH", "/api/v1/funds/"+fund, admin, map[string]any{"iati_identifier": "XM-DAC-47066-RF",
		"iati_reporting_org": map[string]any{"ref": "XM-DAC-47066", "type": "40", "name": "IOM"}}).status(http.StatusOK)
	c.call("PATCH", "/api/v1/donors/"+donor, staff, map[string]any{"iati_org_ref": "XM-DAC-1"}).status(http.StatusOK)
	c.call("GET", "/api/v1/funds/resilience/iati-activity.xml?as_of=2024-12-31", "", nil).status(http.StatusOK)
	c.call("GET", "/api/v1/funds/resilience/donors.xlsx?lang=ar", "", nil).status(http.StatusOK)
	c.call("GET", "/api/v1/exports/contributions.xlsx?fund_id="+fund+"&voided=exclude&lang=fr", staff, nil).status(http.StatusOK)
	c.call("GET", "/api/v1/exports/pledges.xlsx?voided=only", staff, nil).status(http.StatusOK)
	c.call("GET", "/api/v1/exports/fts.csv?hxl=1&fund_id="+fund+"&from=2024-01-01&to=2024-12-31", staff, nil).status(http.StatusOK)
	c.call("GET", "/funds/resilience/report?from=2024-07-01&as_of=2024-12-31&lang=ar", staff, nil).status(http.StatusOK)
	c.call("GET", "/api/v1/exports/contributions.csv?voided=maybe", staff, nil).fails(http.StatusUnprocessableEntity, "validation_failed", "voided")
	// Issue 15: translations, donor links, acknowledgements, receipts, embed, badge, open data.
	c.call("PATCH", "/api/v1/funds/"+fund, admin, map[string]any{"translations": map[string]any{
		"fr": map[string]any{"name": "Fonds de résilience"}, "ar": map[string]any{"name": "صندوق الصمود", "organization": "المنظمة الدولية للهجرة"}}}).status(http.StatusOK)
	c.call("GET", "/api/v1/funds/resilience?lang=ar", "", nil).status(http.StatusOK)
	c.call("GET", "/api/v1/funds?lang=fr", "", nil).status(http.StatusOK)
	c.call("GET", "/api/v1/funds/resilience/donors?lang=ar", "", nil).status(http.StatusOK)
	c.call("GET", "/api/v1/funds/resilience/snapshot.zip?as_of=2024-12-31&lang=fr", "", nil).status(http.StatusOK)
	c.call("GET", "/api/v1/funds/resilience/snapshot.zip?as_of=2999-12-31", "", nil).fails(http.StatusUnprocessableEntity, "validation_failed", "as_of")
	link := c.call("POST", "/api/v1/donors/"+donor+"/links", staff, map[string]any{"expires_on": "2099-12-31"}).fails(http.StatusUnprocessableEntity, "validation_failed", "expires_on")
	link = c.call("POST", "/api/v1/donors/"+donor+"/links", staff, map[string]any{"expires_on": string(models.Today()), "lang": "fr"}).status(http.StatusCreated)
	c.call("GET", "/api/v1/donors/"+donor+"/links", staff, nil).status(http.StatusOK)
	c.call("GET", "/api/v1/donor-view/"+strings.TrimPrefix(link.str("url"), "/donor/")+"?from=2024-01-01", "", nil).status(http.StatusOK)
	c.call("GET", link.str("url")+"?lang=ar", "", nil).status(http.StatusOK)
	c.call("DELETE", "/api/v1/donor-links/"+id(link), staff, nil).status(http.StatusNoContent)
	c.call("GET", "/api/v1/donor-view/"+strings.TrimPrefix(link.str("url"), "/donor/"), "", nil).fails(http.StatusNotFound, "not_found", "")
	c.call("POST", "/api/v1/contributions/"+paid+"/acknowledge", staff, map[string]any{"acknowledgement": "acknowledged"}).status(http.StatusOK)
	c.call("GET", "/api/v1/contributions?acknowledgement=acknowledged", staff, nil).status(http.StatusOK)
	c.call("GET", "/api/v1/contributions/"+paid+"/receipt?lang=ar", staff, nil).status(http.StatusOK)
	c.call("GET", "/contributions/"+paid+"/receipt?lang=fr", staff, nil).status(http.StatusOK)
	c.call("GET", "/embed/funds/resilience?lang=ar", "", nil).status(http.StatusOK)
	c.call("GET", "/funds/resilience?lang=fr", "", nil).status(http.StatusOK)
	c.call("GET", "/funds/no-such-fund", "", nil).status(http.StatusNotFound)
	c.call("GET", "/badge/funds/resilience.svg?lang=fr", "", nil).status(http.StatusOK)
	c.call("GET", "/robots.txt", "", nil).status(http.StatusOK)

	if missing := without(documented(c.doc), keys(c.ok)); len(missing) > 0 {
		t.Errorf("documented operations that never answered 2xx here (add them to this test):\n  %s", strings.Join(missing, "\n  "))
	}
}

// TestOpenAPIAccessIsAsDocumented calls every documented operation anonymously,
// as staff and as admin, on a path that names nothing, and checks that the
// answer is refused (401 anonymously, 403 when signed in) exactly when the
// operation's x-access says so.
func TestOpenAPIAccessIsAsDocumented(t *testing.T) {
	c := newConformance(t)
	fill := strings.NewReplacer("{id}", "999999", "{fund}", "no-such-fund", "{code}", "no-such-fund", "{path}", "no-such-file.js",
		"{token}", "no-such-token", "{file}", "no-such-fund.svg") // issue 15
	roles := []struct{ name, email, token string }{{"anonymous", "", ""}, {"staff", "staff@example.org", c.staff}, {"admin", "admin@example.org", c.admin}}
	for _, op := range documented(c.doc) {
		method, path, _ := strings.Cut(op, " ")
		access := c.doc.Paths.Value(path).GetOperation(method).Extensions["x-access"]
		for _, role := range roles {
			token := role.token
			if token != "" && path == "/api/v1/auth/logout" {
				token = c.login(role.email, password) // logout revokes the session it uses
			}
			allowed := access == "public" || (access != "admin" && access != "audit" && access != "metrics" && role.email != "") || role.name == "admin" && access != "metrics"
			want := 0
			switch {
			case allowed:
			case access == "metrics": // only the metrics token opens it, no user's
				want = http.StatusUnauthorized
			case role.email == "":
				want = http.StatusUnauthorized
			default:
				want = http.StatusForbidden
			}
			r := c.call(method, fill.Replace(path), token, nil)
			if refused := r.code == http.StatusUnauthorized || r.code == http.StatusForbidden; refused != !allowed || (!allowed && r.code != want) {
				t.Errorf("%s as %s (x-access %v): status %d, want %s", op, role.name, access, r.code, describe(want))
			}
		}
	}
}

// bodyBytes is a request body as env.do sends it: a string as is, anything else as JSON.
func bodyBytes(body any) []byte {
	if s, ok := body.(string); ok || body == nil {
		return []byte(s)
	}
	b, _ := json.Marshal(body)
	return b
}

func describe(status int) string {
	if status == 0 {
		return "neither 401 nor 403"
	}
	return http.StatusText(status)
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// jsonNumber sends a path-segment id back as a JSON number.
func jsonNumber(id string) json.Number { return json.Number(id) }
