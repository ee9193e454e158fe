package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fundtracker/fundtracker/api"
	"github.com/fundtracker/fundtracker/store"
	"github.com/fundtracker/fundtracker/store/storetest"
)

// env is a real server in-process on a fresh database, with an admin and a
// staff member signed in.
type env struct {
	t     *testing.T
	srv   *httptest.Server
	store *store.Store
	admin string
	staff string
}

const password = "correct horse battery staple"

// testMetricsToken opens /metrics on the test servers.
const testMetricsToken = "test-metrics-token"

func newEnv(t *testing.T) *env {
	return newEnvConfig(t, api.Config{MetricsToken: testMetricsToken}, nil)
}

// newEnvConfig is newEnv with a server configuration and, unless nil, a store clock.
func newEnvConfig(t *testing.T, cfg api.Config, clk *clock) *env {
	t.Helper()
	scfg := store.Config{}
	if clk != nil {
		scfg.Now = clk.now
	}
	s := storetest.OpenConfig(t, scfg)
	e := &env{t: t, store: s, srv: httptest.NewServer(api.New(cfg, s))}
	t.Cleanup(e.srv.Close)
	ctx := context.Background()
	if _, _, err := s.EnsureAdmin(ctx, "admin@example.org", password); err != nil {
		t.Fatal(err)
	}
	e.admin = e.login("admin@example.org", password)
	e.do("POST", "/api/v1/users", e.admin, map[string]any{"email": "staff@example.org", "password": password, "role": "staff"}).status(201)
	e.staff = e.login("staff@example.org", password)
	return e
}

func (e *env) login(email, pw string) string {
	e.t.Helper()
	r := e.do("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": pw}).status(200)
	return r.str("token")
}

// response is an answer with its decoded JSON body.
type response struct {
	t      *testing.T
	code   int
	header http.Header
	raw    []byte
	body   map[string]any
}

// do sends a request; body may be a string (sent as is) or a value (sent as JSON).
func (e *env) do(method, path, token string, body any, headers ...string) *response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := &response{t: e.t, code: res.StatusCode, header: res.Header, raw: raw}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		json.Unmarshal(raw, &r.body)
	}
	return r
}

func (r *response) status(want int) *response {
	r.t.Helper()
	if r.code != want {
		r.t.Fatalf("status %d, want %d: %s", r.code, want, r.raw)
	}
	return r
}

// fails checks an error answer: status, code and, if given, the field at fault.
func (r *response) fails(status int, code string, field string) *response {
	r.t.Helper()
	r.status(status)
	e, _ := r.body["error"].(map[string]any)
	if e == nil || e["code"] != code || e["message"] == "" {
		r.t.Fatalf("error body %s, want code %s", r.raw, code)
	}
	if field != "" {
		fields, _ := e["fields"].(map[string]any)
		if _, ok := fields[field]; !ok {
			r.t.Fatalf("error body %s does not name field %q", r.raw, field)
		}
	}
	return r
}

func (r *response) str(key string) string {
	r.t.Helper()
	v, ok := r.body[key].(string)
	if !ok {
		r.t.Fatalf("%q is not a string in %s", key, r.raw)
	}
	return v
}

func (r *response) id() int64 {
	r.t.Helper()
	v, ok := r.body["id"].(float64)
	if !ok {
		r.t.Fatalf("no id in %s", r.raw)
	}
	return int64(v)
}

func (r *response) items() []map[string]any {
	r.t.Helper()
	raw, _ := r.body["items"].([]any)
	out := make([]map[string]any, len(raw))
	for i, v := range raw {
		out[i] = v.(map[string]any)
	}
	return out
}

// counts counts the rows of every table, to check that a refused request wrote nothing.
func (e *env) counts() map[string]int64 {
	e.t.Helper()
	c, err := e.store.TableCounts(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// unchanged fails the test if any table's row count differs from before.
func (e *env) unchanged(before map[string]int64, what string) {
	e.t.Helper()
	after := e.counts()
	for t, n := range before {
		if t == "login_throttles" {
			continue
		}
		if after[t] != n {
			e.t.Fatalf("%s wrote to %s: %d rows before, %d after", what, t, n, after[t])
		}
	}
}
