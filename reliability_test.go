//go:build reliability

// The reliability suite (issue 5) runs against real server processes: the
// binary is built once, and each test starts `fundtracker serve` on a fresh
// database (an SQLite file, or a PostgreSQL schema of its own when
// FUNDTRACKER_TEST_ENGINE=postgres), then talks to it over HTTP only.
//
//	go test -tags reliability -count=1 -v -run . .
//	make test-reliability
package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"github.com/fundtracker/fundtracker/store/storetest"
	"github.com/shopspring/decimal"
)

const (
	adminEmail    = "admin@reliability.example"
	adminPassword = "reliability-admin-password"
	metricsToken  = "reliability-metrics-token"
	v1            = "/api/v1"
)

// binary is the fundtracker executable built once for the whole suite.
var binary string

// figures are what the suite measured, printed at the end of the run.
var figures struct {
	sync.Mutex
	writesPerSecond float64
	rowsChecked     int
	inputsTried     int
}

func addFigures(rows, inputs int) {
	figures.Lock()
	defer figures.Unlock()
	figures.rowsChecked += rows
	figures.inputsTried += inputs
}

func engine() string {
	if storetest.Postgres() {
		return "postgres"
	}
	return "sqlite"
}

func summary() string {
	figures.Lock()
	defer figures.Unlock()
	return fmt.Sprintf("reliability figures (%s): %.0f writes/second with 8 concurrent writers, %d rows checked, %d hostile inputs tried",
		engine(), figures.writesPerSecond, figures.rowsChecked, figures.inputsTried)
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fundtracker-reliability-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "fundtracker")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build fundtracker:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	if figures.rowsChecked > 0 { // the scale-out suite shares this harness but not these figures
		fmt.Println(summary())
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// --- server processes -------------------------------------------------------

// logBuffer collects a server's output (stdout and stderr) for inspection.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// server is one `fundtracker serve` process.
type server struct {
	base   string
	log    *logBuffer
	cmd    *exec.Cmd
	exited chan struct{}
	err    error // the process's exit, set before exited is closed
}

// startServer starts fundtracker on dsn, with more environment variables
// ("NAME=value") if given, and waits until /healthz answers.
func startServer(t *testing.T, dsn string, env ...string) *server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s := &server{base: "http://" + addr, log: &logBuffer{}, exited: make(chan struct{})}
	s.cmd = exec.Command(binary, "serve")
	s.cmd.Env = append(os.Environ(), "FUNDTRACKER_ADDR="+addr, "FUNDTRACKER_DB="+dsn,
		"FUNDTRACKER_ADMIN_EMAIL="+adminEmail, "FUNDTRACKER_ADMIN_PASSWORD="+adminPassword, "FUNDTRACKER_LOG_LEVEL=info",
		"FUNDTRACKER_METRICS_TOKEN="+metricsToken)
	s.cmd.Env = append(s.cmd.Env, env...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.err = s.cmd.Wait(); close(s.exited) }()
	t.Cleanup(func() {
		s.kill()
		if t.Failed() {
			t.Logf("server log (last lines):\n%s", lastLines(s.log.String(), 40))
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-s.exited:
			t.Fatalf("the server exited before answering /healthz: %v\n%s", s.err, s.log)
		default:
		}
		if resp, err := http.Get(s.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not answer /healthz within a minute\n%s", s.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill sends SIGKILL (when still running) and waits for the process to end.
func (s *server) kill() {
	select {
	case <-s.exited:
	default:
		s.cmd.Process.Kill()
		<-s.exited
	}
}

// wait waits for the process to exit and returns how it exited.
func (s *server) wait(t *testing.T) error {
	t.Helper()
	select {
	case <-s.exited:
		return s.err
	case <-time.After(60 * time.Second):
		t.Fatal("the server did not exit within a minute")
		return nil
	}
}

// waitLog waits until the server's log contains text.
func (s *server) waitLog(t *testing.T, text string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(s.log.String(), text) {
		if time.Now().After(deadline) {
			t.Fatalf("the server never logged %q", text)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkLogClean fails the test when the server logged an error or a lock.
func (s *server) checkLogClean(t *testing.T) {
	t.Helper()
	for _, line := range strings.Split(s.log.String(), "\n") {
		if strings.Contains(line, `"level":"ERROR"`) || strings.Contains(line, "database is locked") ||
			strings.Contains(line, "SQLITE_BUSY") || strings.Contains(line, `"status":5`) {
			t.Errorf("server log: %s", line)
		}
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// --- HTTP client ------------------------------------------------------------

// client talks to a server, with a bearer token once signed in.
type client struct {
	base  string
	token string
	hc    *http.Client
}

func (s *server) client() *client {
	return &client{base: s.base, hc: &http.Client{Timeout: 2 * time.Minute,
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}}
}

// login signs in and returns a client that sends the bearer token.
func (s *server) login(t *testing.T, email, password string) *client {
	t.Helper()
	c := s.client()
	var out struct{ Token string }
	c.must(t, "POST", v1+"/auth/login", map[string]string{"email": email, "password": password}, http.StatusOK).decode(t, &out)
	if out.Token == "" {
		t.Fatal("login answered no token")
	}
	c.token = out.Token
	return c
}

// reply is a server's answer.
type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r reply) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

func (r reply) id(t *testing.T) int64 {
	t.Helper()
	var v struct{ ID int64 }
	r.decode(t, &v)
	if v.ID <= 0 {
		t.Fatalf("no id in %s", r.Body)
	}
	return v.ID
}

// errorBody is the contract's error answer.
type errorBody struct {
	Error *struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

// requestBody turns a body into a reader: nil, a string or []byte sent as is,
// an io.Reader sent chunked, or anything else sent as JSON.
func requestBody(body any) (io.Reader, error) {
	switch b := body.(type) {
	case nil:
		return nil, nil
	case string:
		return strings.NewReader(b), nil
	case []byte:
		return bytes.NewReader(b), nil
	case io.Reader:
		return b, nil
	default:
		j, err := json.Marshal(b)
		return bytes.NewReader(j), err
	}
}

// call sends a request; header is name, value pairs.
func (c *client) call(method, path string, body any, header ...string) (reply, error) {
	rd, err := requestBody(body)
	if err != nil {
		return reply{}, err
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return reply{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return reply{Status: resp.StatusCode, Header: resp.Header, Body: b}, err
}

// must sends a request and fails the test unless it answers want.
func (c *client) must(t *testing.T, method, path string, body any, want int, header ...string) reply {
	t.Helper()
	r, err := c.call(method, path, body, header...)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if r.Status != want {
		t.Fatalf("%s %s answered %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	return r
}

// all pages through a list and returns every item, raw.
func (c *client) all(t *testing.T, path string) []json.RawMessage {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	var items []json.RawMessage
	cursor := ""
	for {
		var page struct {
			Items []json.RawMessage
			Next  *string
		}
		c.must(t, "GET", path+sep+"limit=1000"+cursor, nil, http.StatusOK).decode(t, &page)
		items = append(items, page.Items...)
		if page.Next == nil {
			return items
		}
		cursor = "&cursor=" + *page.Next
	}
}

// counts is how many rows each list holds: compared around refused requests.
func (c *client) counts(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, list := range []string{"contributions", "pledges", "donors", "exchange-rates", "funds", "users", "audit"} {
		out[list] = len(c.all(t, v1+"/"+list))
	}
	return out
}

// csvRows fetches a CSV export and returns its rows by column name.
func (c *client) csvRows(t *testing.T, path string) []map[string]string {
	t.Helper()
	r := c.must(t, "GET", path, nil, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("%s: Content-Type %q", path, ct)
	}
	recs, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("%s: %v (%d records)", path, err, len(recs))
	}
	rows := make([]map[string]string, 0, len(recs)-1)
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, name := range recs[0] {
			row[name] = rec[i]
		}
		rows = append(rows, row)
	}
	return rows
}

// --- fixtures ---------------------------------------------------------------

// ledger is a fund with donors, ready for contributions.
type ledger struct {
	fund   int64
	donors []int64
}

// rates are the exchange rates every ledger has (units per USD, from 2024-01-01).
var rates = map[string]string{"EUR": "0.9125", "CHF": "0.8812", "JPY": "151.37", "KWD": "0.30745"}

func newLedger(t *testing.T, c *client, code string, donors int) ledger {
	t.Helper()
	l := ledger{fund: c.must(t, "POST", v1+"/funds", map[string]any{"code": code, "name": "Fund " + code,
		"organization": "IOM", "target_usd": "100000000", "opens_on": "2024-01-01"}, http.StatusCreated).id(t)}
	for cur, units := range rates {
		c.must(t, "POST", v1+"/exchange-rates", map[string]string{"currency": cur, "effective_on": "2024-01-01",
			"units_per_usd": units, "source": "UN operational rate"}, http.StatusCreated)
	}
	for i := range donors {
		l.donors = append(l.donors, c.must(t, "POST", v1+"/donors", map[string]any{"name": fmt.Sprintf("%s donor %d", code, i),
			"kind": "government", "country_code": "MA"}, http.StatusCreated).id(t))
	}
	return l
}

// contribution is a valid contribution body.
func (l ledger) contribution(donor int64, amount, currency, on string) map[string]any {
	return map[string]any{"fund_id": l.fund, "donor_id": donor, "amount": amount, "currency": currency, "received_on": on}
}

// randomAmount is an amount in a currency with as many decimals as it has.
func randomAmount(rng *rand.Rand, currency string, maxMinor int) string {
	places := models.MinorUnits(currency)
	return decimal.New(int64(1+rng.IntN(maxMinor)), -places).StringFixed(places)
}

func randomDay(rng *rand.Rand) string {
	return time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(400)).Format(models.DateLayout)
}

func dec(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatalf("not a decimal: %q", s)
	}
	return d
}

// created is what the suite keeps of a 201 answer.
type created struct {
	ID        int64  `json:"id"`
	DonorID   int64  `json:"donor_id"`
	PledgeID  int64  `json:"pledge_id"` // 0 for null
	Amount    string `json:"amount"`
	Currency  string `json:"currency"`
	AmountUSD string `json:"amount_usd"`
}

// --- the tests --------------------------------------------------------------

// 8 writers x 150 contributions at once: no error, no lock, exact totals.
func TestConcurrentWriters(t *testing.T) {
	srv := startServer(t, storetest.DSN(t))
	admin := srv.login(t, adminEmail, adminPassword)
	const writers, each = 8, 150
	l := newLedger(t, admin, "concurrency", writers)
	pledges := make([]int64, writers)
	for w := range writers {
		pledges[w] = admin.must(t, "POST", v1+"/pledges", map[string]any{"fund_id": l.fund, "donor_id": l.donors[w],
			"amount": "1000000.00", "currency": "EUR", "pledged_on": "2024-07-01", "stage": "commitment"}, http.StatusCreated).id(t)
	}
	currencies := []string{"USD", "EUR", "CHF", "JPY", "KWD"}
	results := make([][]created, writers)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 5))
			for i := range each {
				cur := currencies[rng.IntN(len(currencies))]
				body := l.contribution(l.donors[w], "", cur, randomDay(rng))
				if i%5 == 0 { // pays the writer's EUR pledge (30 x at most 10,000.00 EUR: never more than outstanding)
					cur = "EUR"
					body["currency"], body["pledge_id"] = cur, pledges[w]
				}
				body["amount"] = randomAmount(rng, cur, 1_000_000)
				r, err := admin.call("POST", v1+"/contributions", body)
				if err != nil || r.Status != http.StatusCreated {
					t.Errorf("writer %d, payment %d: %v %d %s", w, i, err, r.Status, r.Body)
					continue
				}
				var ct created
				if err := json.Unmarshal(r.Body, &ct); err != nil {
					t.Errorf("writer %d: %v", w, err)
				}
				results[w] = append(results[w], ct)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if t.Failed() {
		t.FailNow()
	}
	srv.checkLogClean(t)

	// The exact sums of what the 201 answers said.
	total, byDonor, byPledge := decimal.Zero, map[string]decimal.Decimal{}, map[int64]decimal.Decimal{}
	answered := map[int64]created{}
	for w, list := range results {
		name := fmt.Sprintf("concurrency donor %d", w)
		for _, ct := range list {
			usd := dec(t, ct.AmountUSD)
			total = total.Add(usd)
			byDonor[name] = byDonor[name].Add(usd)
			if ct.PledgeID != 0 {
				byPledge[ct.PledgeID] = byPledge[ct.PledgeID].Add(dec(t, ct.Amount))
			}
			answered[ct.ID] = ct
		}
	}
	if len(answered) != writers*each {
		t.Fatalf("%d distinct ids answered, want %d", len(answered), writers*each)
	}

	var progress struct {
		Paid              string
		ContributionCount int64 `json:"contribution_count"`
		DonorCount        int64 `json:"donor_count"`
	}
	admin.must(t, "GET", fmt.Sprintf("%s/funds/%d/progress", v1, l.fund), nil, http.StatusOK).decode(t, &progress)
	if !dec(t, progress.Paid).Equal(total) || progress.ContributionCount != writers*each || progress.DonorCount != writers {
		t.Errorf("progress paid %s, %d contributions, %d donors; want %s, %d, %d", progress.Paid, progress.ContributionCount,
			progress.DonorCount, total.StringFixed(2), writers*each, writers)
	}
	var breakdown struct{ Items []struct{ Name, Paid string } }
	admin.must(t, "GET", fmt.Sprintf("%s/funds/%d/donors", v1, l.fund), nil, http.StatusOK).decode(t, &breakdown)
	if len(breakdown.Items) != writers {
		t.Errorf("donor breakdown lists %d donors, want %d", len(breakdown.Items), writers)
	}
	for _, d := range breakdown.Items {
		if !dec(t, d.Paid).Equal(byDonor[d.Name]) {
			t.Errorf("donor %q paid %s, want %s", d.Name, d.Paid, byDonor[d.Name].StringFixed(2))
		}
	}
	for id, paid := range byPledge {
		var p struct{ Paid string }
		admin.must(t, "GET", fmt.Sprintf("%s/pledges/%d", v1, id), nil, http.StatusOK).decode(t, &p)
		if !dec(t, p.Paid).Equal(paid) {
			t.Errorf("pledge %d paid %s EUR, want %s", id, p.Paid, paid)
		}
	}

	// Every row once, in the list and in the export, as answered.
	listed := admin.all(t, fmt.Sprintf("%s/contributions?fund_id=%d", v1, l.fund))
	seen := map[int64]bool{}
	for _, raw := range listed {
		var ct created
		if err := json.Unmarshal(raw, &ct); err != nil {
			t.Fatal(err)
		}
		if want, ok := answered[ct.ID]; !ok || seen[ct.ID] || want != ct {
			t.Errorf("listed %+v: answered %+v (known %v, seen before %v)", ct, want, ok, seen[ct.ID])
		}
		seen[ct.ID] = true
	}
	rows := admin.csvRows(t, fmt.Sprintf("%s/exports/contributions.csv?fund_id=%d", v1, l.fund))
	csvTotal := decimal.Zero
	for _, row := range rows {
		id, _ := strconv.ParseInt(row["id"], 10, 64)
		if want, ok := answered[id]; !ok || row["amount"] != want.Amount || row["amount_usd"] != want.AmountUSD {
			t.Errorf("CSV row %v: answered %+v", row, want)
		}
		csvTotal = csvTotal.Add(dec(t, row["amount_usd"]))
	}
	if len(listed) != writers*each || len(rows) != writers*each || !csvTotal.Equal(total) {
		t.Errorf("list holds %d rows, CSV %d rows summing to %s; want %d rows summing to %s",
			len(listed), len(rows), csvTotal, writers*each, total)
	}

	// /metrics saw every write, and no 5xx.
	scraper := srv.client()
	scraper.token = metricsToken
	metrics := string(scraper.must(t, "GET", "/metrics", nil, http.StatusOK).Body)
	want := fmt.Sprintf(`fundtracker_http_requests_total{method="POST",route="/api/v1/contributions",status="201"} %d`, writers*each)
	if !strings.Contains(metrics, want+"\n") || strings.Contains(metrics, `status="5`) {
		t.Errorf("/metrics lacks %q or counts a 5xx", want)
	}
	wps := float64(writers*each) / elapsed.Seconds()
	figures.Lock()
	figures.writesPerSecond = wps
	figures.Unlock()
	addFigures(len(listed)+len(rows)+len(breakdown.Items)+len(byPledge), 0)
	t.Logf("%d writers x %d contributions in %v: %.0f writes/second; totals exact (paid %s USD)", writers, each,
		elapsed.Round(time.Millisecond), wps, total.StringFixed(2))
}

// SIGKILL in the middle of a stream of writes: every acknowledged write is
// there after a restart, and retries with the same Idempotency-Key replay.
func TestSIGKILLMidStream(t *testing.T) {
	dsn := storetest.DSN(t)
	srv := startServer(t, dsn)
	admin := srv.login(t, adminEmail, adminPassword)
	l := newLedger(t, admin, "durability", 1)
	const clients, killAfter = 6, 150
	type attempt struct {
		key   string
		body  map[string]any
		first reply // the 201 answered before the kill (Status 0 when none)
	}
	attempts := make([][]*attempt, clients)
	var acks atomic.Int64
	var wg sync.WaitGroup
	for w := range clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 9))
			for i := 0; i < 100_000; i++ {
				key := fmt.Sprintf("kill-%d-%d", w, i)
				cur := []string{"USD", "EUR", "JPY"}[i%3]
				a := &attempt{key: key, body: l.contribution(l.donors[0], randomAmount(rng, cur, 5_000_000), cur, randomDay(rng))}
				a.body["reference"] = key
				attempts[w] = append(attempts[w], a)
				r, err := admin.call("POST", v1+"/contributions", a.body, "Idempotency-Key", key)
				if err != nil {
					return // the server is gone
				}
				if r.Status != http.StatusCreated {
					t.Errorf("%s answered %d: %s", key, r.Status, r.Body)
					return
				}
				a.first = r
				if acks.Add(1) == killAfter {
					srv.kill()
				}
			}
			t.Errorf("client %d: the server was never killed", w)
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	srv = startServer(t, dsn)
	admin = srv.login(t, adminEmail, adminPassword)
	acked, unacked, committedUnacked := 0, 0, 0
	final := map[string]created{} // key -> the row it ended up with
	for _, list := range attempts {
		for _, a := range list {
			if a.first.Status == http.StatusCreated {
				acked++
				var first created
				a.first.decode(t, &first)
				var stored created
				admin.must(t, "GET", fmt.Sprintf("%s/contributions/%d", v1, first.ID), nil, http.StatusOK).decode(t, &stored)
				if stored != first {
					t.Errorf("%s: stored %+v, answered %+v before the kill", a.key, stored, first)
				}
				r := admin.must(t, "POST", v1+"/contributions", a.body, http.StatusCreated, "Idempotency-Key", a.key)
				if r.Header.Get("Idempotent-Replayed") != "true" || !sameJSON(t, r.Body, a.first.Body) {
					t.Errorf("%s: retry answered %s (replayed %q), want the original %s", a.key, r.Body,
						r.Header.Get("Idempotent-Replayed"), a.first.Body)
				}
				final[a.key] = first
				continue
			}
			unacked++
			r := admin.must(t, "POST", v1+"/contributions", a.body, http.StatusCreated, "Idempotency-Key", a.key)
			if r.Header.Get("Idempotent-Replayed") == "true" {
				committedUnacked++ // committed just before the kill, answer lost
			}
			var ct created
			r.decode(t, &ct)
			again := admin.must(t, "POST", v1+"/contributions", a.body, http.StatusCreated, "Idempotency-Key", a.key)
			if again.Header.Get("Idempotent-Replayed") != "true" || !sameJSON(t, again.Body, r.Body) {
				t.Errorf("%s: a second retry answered %s, want a replay of %s", a.key, again.Body, r.Body)
			}
			final[a.key] = ct
		}
	}
	if acked < killAfter {
		t.Errorf("only %d writes acknowledged before the kill, want at least %d", acked, killAfter)
	}
	// Exactly one row per key, no other row.
	rows := admin.all(t, fmt.Sprintf("%s/contributions?fund_id=%d", v1, l.fund))
	byID := map[int64]created{}
	total := decimal.Zero
	for _, raw := range rows {
		var ct created
		if err := json.Unmarshal(raw, &ct); err != nil {
			t.Fatal(err)
		}
		byID[ct.ID] = ct
	}
	for key, ct := range final {
		if byID[ct.ID] != ct {
			t.Errorf("%s: row %d is %+v, want %+v", key, ct.ID, byID[ct.ID], ct)
		}
		total = total.Add(dec(t, ct.AmountUSD))
	}
	if len(rows) != len(final) {
		t.Errorf("%d rows after the restart, want %d (one per key answered 201)", len(rows), len(final))
	}
	var progress struct{ Paid string }
	admin.must(t, "GET", fmt.Sprintf("%s/funds/%d/progress", v1, l.fund), nil, http.StatusOK).decode(t, &progress)
	if !dec(t, progress.Paid).Equal(total) {
		t.Errorf("progress paid %s, want %s", progress.Paid, total)
	}
	srv.checkLogClean(t)
	addFigures(len(rows)+acked, 0)
	t.Logf("SIGKILL after %d acknowledged writes: %d acknowledged all present and replayed; %d unacknowledged retried "+
		"(%d had committed before the kill); %d rows == %d keys", killAfter, acked, unacked, committedUnacked, len(rows), len(final))
}

// A double click: the same request with the same Idempotency-Key sent many
// times at once makes one row, and every answer is that row.
func TestConcurrentRetries(t *testing.T) {
	srv := startServer(t, storetest.DSN(t))
	admin := srv.login(t, adminEmail, adminPassword)
	l := newLedger(t, admin, "double-click", 1)
	const keys, copies = 20, 8
	ids := make([][]int64, keys)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for k := range keys {
		body := l.contribution(l.donors[0], fmt.Sprintf("%d.25", 100+k), "EUR", "2024-10-01")
		for range copies {
			wg.Go(func() {
				r, err := admin.call("POST", v1+"/contributions", body, "Idempotency-Key", fmt.Sprintf("click-%d", k))
				if err != nil || r.Status != http.StatusCreated {
					t.Errorf("key %d: %v %d %s", k, err, r.Status, r.Body)
					return
				}
				var ct created
				json.Unmarshal(r.Body, &ct)
				mu.Lock()
				ids[k] = append(ids[k], ct.ID)
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	for k, list := range ids {
		if len(slices.Compact(slices.Sorted(slices.Values(list)))) != 1 {
			t.Errorf("key %d answered ids %v, want one id", k, list)
		}
	}
	if n := len(admin.all(t, fmt.Sprintf("%s/contributions?fund_id=%d", v1, l.fund))); n != keys {
		t.Errorf("%d rows for %d keys sent %d times each", n, keys, copies)
	}
	srv.checkLogClean(t)
	addFigures(keys, 0)
	t.Logf("%d keys each sent %d times at once: one row per key, every answer the same", keys, copies)
}

func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// hostile is a request that must be refused with the error body, writing nothing.
type hostile struct {
	name, method, path string
	body               any
	header             []string
	status             int
	code               string
	field              string // the field the error must name, when one is at fault
	message            string // text the message must contain, when set
}

// withJSON returns base with fields changed (a nil value removes the field).
func withJSON(t *testing.T, base map[string]any, fields map[string]any) string {
	t.Helper()
	m := map[string]any{}
	for k, v := range base {
		m[k] = v
	}
	for k, v := range fields {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// chunked hides a body's length so that it is sent chunked.
type chunked struct{ io.Reader }

// Hostile inputs through the real server: each answered 4xx with the error
// body and nothing written; injection strings that are valid text are stored
// verbatim and neutralised in CSV exports.
func TestHostileInputs(t *testing.T) {
	srv := startServer(t, storetest.DSN(t))
	admin := srv.login(t, adminEmail, adminPassword)
	l := newLedger(t, admin, "hostile", 1)
	pledge := admin.must(t, "POST", v1+"/pledges", map[string]any{"fund_id": l.fund, "donor_id": l.donors[0],
		"amount": "500.00", "currency": "USD", "pledged_on": "2024-07-01"}, http.StatusCreated).id(t)
	base := l.contribution(l.donors[0], "100.00", "USD", "2024-08-01")
	contrib := func(fields map[string]any) string { return withJSON(t, base, fields) }
	valid := contrib(nil)
	future := time.Now().UTC().AddDate(0, 0, 2).Format(models.DateLayout) // not today, even past midnight
	huge := contrib(map[string]any{"notes": strings.Repeat("x", 2<<20)})
	num := func(s string) json.RawMessage { return json.RawMessage(s) }
	sqlName := "'; DROP TABLE contributions; --"

	const (
		badJSON  = "invalid_json"
		invalid  = "validation_failed"
		tooLarge = "payload_too_large"
	)
	post := func(name string, body any, status int, code, field string) hostile {
		return hostile{name: name, method: "POST", path: v1 + "/contributions", body: body, status: status, code: code, field: field}
	}
	cases := []hostile{
		// Not one JSON object: 400 invalid_json.
		post("empty body", "", 400, badJSON, ""),
		post("whitespace only", " \n\t ", 400, badJSON, ""),
		post("null", "null", 400, badJSON, ""),
		post("top-level array", "["+valid+"]", 400, badJSON, ""),
		post("top-level string", `"hello"`, 400, badJSON, ""),
		post("top-level number", "42", 400, badJSON, ""),
		post("top-level true", "true", 400, badJSON, ""),
		post("trailing garbage", valid+" x", 400, badJSON, ""),
		post("two objects", valid+valid, 400, badJSON, ""),
		post("truncated object", valid[:len(valid)-1], 400, badJSON, ""),
		post("duplicate key", strings.Replace(valid, "{", `{"amount":"999.00",`, 1), 400, badJSON, ""),
		post("duplicate key differing in case", strings.Replace(valid, "{", `{"AMOUNT":"999.00",`, 1), 400, badJSON, ""),
		post("invalid UTF-8 in a value", strings.Replace(valid, "{", "{\"notes\":\"\xff\xfe\",", 1), 400, badJSON, ""),
		post("invalid UTF-8 in a key", strings.Replace(valid, "{", "{\"\xc3\x28\":1,", 1), 400, badJSON, ""),
		post("raw NUL in a string", strings.Replace(valid, "{", "{\"notes\":\"a\x00b\",", 1), 400, badJSON, ""),
		post("deeply nested arrays", strings.Replace(valid, "{", `{"notes":`+strings.Repeat("[", 100_000)+strings.Repeat("]", 100_000)+",", 1), 400, badJSON, ""),
		post("nested objects 17 deep", strings.Replace(valid, "{", `{"notes":`+strings.Repeat(`{"a":`, 17)+"1"+strings.Repeat("}", 17)+",", 1), 400, badJSON, ""),
		post("single quotes", strings.ReplaceAll(valid, `"`, `'`), 400, badJSON, ""),
		post("comment", "// note\n"+valid, 400, badJSON, ""),
		post("NaN literal", strings.Replace(valid, `"100.00"`, "NaN", 1), 400, badJSON, ""),
		// Too large: 413.
		post("body over 1 MiB", huge, 413, tooLarge, ""),
		post("chunked body over 1 MiB", chunked{strings.NewReader(huge)}, 413, tooLarge, ""),
		// Wrong types: 422 naming the field.
		post("amount true", contrib(map[string]any{"amount": true}), 422, invalid, "amount"),
		post("amount object", contrib(map[string]any{"amount": map[string]any{}}), 422, invalid, "amount"),
		post("amount array", contrib(map[string]any{"amount": []string{"1"}}), 422, invalid, "amount"),
		post("amount missing", contrib(map[string]any{"amount": nil}), 422, invalid, "amount"),
		post("fund_id string", contrib(map[string]any{"fund_id": "abc"}), 422, invalid, "fund_id"),
		post("fund_id SQL", contrib(map[string]any{"fund_id": "1 OR 1=1"}), 422, invalid, "fund_id"),
		post("fund_id fraction", contrib(map[string]any{"fund_id": num("1.5")}), 422, invalid, "fund_id"),
		post("fund_id overflow", contrib(map[string]any{"fund_id": num("1e30")}), 422, invalid, "fund_id"),
		post("fund_id negative", contrib(map[string]any{"fund_id": -1}), 422, invalid, "fund_id"),
		post("pledge_id string", contrib(map[string]any{"pledge_id": "1; DELETE FROM pledges"}), 422, invalid, "pledge_id"),
		post("currency number", contrib(map[string]any{"currency": 840}), 422, invalid, "currency"),
		post("received_on number", contrib(map[string]any{"received_on": 20240801}), 422, invalid, "received_on"),
		// Amounts.
		post("too many decimals (USD)", contrib(map[string]any{"amount": "10.001"}), 422, invalid, "amount"),
		post("decimals in JPY", contrib(map[string]any{"amount": "1.5", "currency": "JPY"}), 422, invalid, "amount"),
		post("too many decimals (KWD)", contrib(map[string]any{"amount": "1.0001", "currency": "KWD"}), 422, invalid, "amount"),
		post("negative", contrib(map[string]any{"amount": "-5.00"}), 422, invalid, "amount"),
		post("negative number", contrib(map[string]any{"amount": num("-5")}), 422, invalid, "amount"),
		post("zero", contrib(map[string]any{"amount": "0"}), 422, invalid, "amount"),
		post("zero with decimals", contrib(map[string]any{"amount": "0.00"}), 422, invalid, "amount"),
		post("exponent string", contrib(map[string]any{"amount": "1e3"}), 422, invalid, "amount"),
		post("exponent number", contrib(map[string]any{"amount": num("1e3")}), 422, invalid, "amount"),
		post("thousands separator", contrib(map[string]any{"amount": "1,000"}), 422, invalid, "amount"),
		post("space separator", contrib(map[string]any{"amount": "1 000"}), 422, invalid, "amount"),
		post("plus sign", contrib(map[string]any{"amount": "+5"}), 422, invalid, "amount"),
		post("10^15", contrib(map[string]any{"amount": "1000000000000000"}), 422, invalid, "amount"),
		post("above 10^15", contrib(map[string]any{"amount": num("99999999999999999999")}), 422, invalid, "amount"),
		post("NaN string", contrib(map[string]any{"amount": "NaN"}), 422, invalid, "amount"),
		post("hex", contrib(map[string]any{"amount": "0x10"}), 422, invalid, "amount"),
		post("empty amount", contrib(map[string]any{"amount": ""}), 422, invalid, "amount"),
		post("Arabic-Indic digits", contrib(map[string]any{"amount": "١٢٣"}), 422, invalid, "amount"),
		post("amount above the pledge's outstanding", contrib(map[string]any{"amount": "500.01", "pledge_id": pledge}), 422, invalid, "amount"),
		// Currencies and rates.
		post("unknown currency", contrib(map[string]any{"currency": "ZZZ"}), 422, invalid, "currency"),
		post("two-letter currency", contrib(map[string]any{"currency": "US"}), 422, invalid, "currency"),
		post("SQL in currency", contrib(map[string]any{"currency": "USD'; DROP TABLE contributions; --"}), 422, invalid, "currency"),
		{name: "no rate for the currency and date", method: "POST", path: v1 + "/contributions", body: contrib(map[string]any{"currency": "GBP"}),
			status: 422, code: invalid, message: "GBP"},
		post("exchange_rate zero", contrib(map[string]any{"currency": "EUR", "exchange_rate": "0"}), 422, invalid, "exchange_rate"),
		post("exchange_rate text", contrib(map[string]any{"currency": "EUR", "exchange_rate": "abc"}), 422, invalid, "exchange_rate"),
		// Dates.
		post("received_on in the future", contrib(map[string]any{"received_on": future}), 422, invalid, "received_on"),
		post("February 30th", contrib(map[string]any{"received_on": "2024-02-30"}), 422, invalid, "received_on"),
		post("February 29th of a common year", contrib(map[string]any{"received_on": "2023-02-29"}), 422, invalid, "received_on"),
		post("month 13", contrib(map[string]any{"received_on": "2024-13-01"}), 422, invalid, "received_on"),
		post("slashes", contrib(map[string]any{"received_on": "2024/08/01"}), 422, invalid, "received_on"),
		post("timestamp", contrib(map[string]any{"received_on": "2024-08-01T00:00:00Z"}), 422, invalid, "received_on"),
		post("short year", contrib(map[string]any{"received_on": "24-08-01"}), 422, invalid, "received_on"),
		post("received_on missing", contrib(map[string]any{"received_on": nil}), 422, invalid, "received_on"),
		// References to nothing.
		post("unknown fund", contrib(map[string]any{"fund_id": 999_999}), 422, invalid, "fund_id"),
		post("unknown donor", contrib(map[string]any{"donor_id": 999_999}), 422, invalid, "donor_id"),
		post("unknown pledge", contrib(map[string]any{"pledge_id": 999_999}), 422, invalid, "pledge_id"),
		// Unknown fields and text.
		post("unknown field", contrib(map[string]any{"amount_usd": "5.00"}), 422, invalid, "amount_usd"),
		post("unknown field id", contrib(map[string]any{"id": 1}), 422, invalid, "id"),
		post("unknown field voided", contrib(map[string]any{"voided": true}), 422, invalid, "voided"),
		post("SQL in earmarking", contrib(map[string]any{"earmarking": sqlName}), 422, invalid, "earmarking"),
		post("control character in reference", contrib(map[string]any{"reference": "INV\u0007-1"}), 422, invalid, "reference"),
		post("bidi override in reference", contrib(map[string]any{"reference": "INV-\u202e1-VNI"}), 422, invalid, "reference"),
		post("notes too long", contrib(map[string]any{"notes": strings.Repeat("é", 5001)}), 422, invalid, "notes"),
		{name: "Idempotency-Key too long", method: "POST", path: v1 + "/contributions", body: valid,
			header: []string{"Idempotency-Key", strings.Repeat("k", 201)}, status: 422, code: invalid, field: "Idempotency-Key"},
		{name: "SQL in the bearer token", method: "POST", path: v1 + "/contributions", body: valid,
			header: []string{"Authorization", "Bearer ' OR '1'='1"}, status: 401, code: "unauthorized"},
	}
	donor := func(name string, body map[string]any, field string) hostile {
		b, _ := json.Marshal(body)
		return hostile{name: name, method: "POST", path: v1 + "/donors", body: string(b), status: 422, code: invalid, field: field}
	}
	gov := func(name string) map[string]any { return map[string]any{"name": name, "kind": "government"} }
	cases = append(cases,
		donor("NUL in a name", gov("Evil\u0000Corp"), "name"),
		donor("bidi override in a name", gov("\u202Egnp.exe"), "name"),
		donor("bidi isolate in a name", gov("Good\u2066Donor"), "name"),
		donor("C1 control in a name", gov("Next\u0085Line"), "name"),
		donor("escape sequence in a name", gov("\u001b[31mRed"), "name"),
		donor("SQL with a control character", gov(sqlName+"\u0000"), "name"),
		donor("blank name", gov(" \t "), "name"),
		donor("name too long", gov(strings.Repeat("n", 201)), "name"),
		donor("anonymous yes", map[string]any{"name": "A", "kind": "government", "anonymous": "yes"}, "anonymous"),
		donor("anonymous 1", map[string]any{"name": "A", "kind": "government", "anonymous": 1}, "anonymous"),
		donor("SQL in kind", map[string]any{"name": "A", "kind": "'; DROP TABLE donors; --"}, "kind"),
		donor("three-letter country", map[string]any{"name": "A", "kind": "government", "country_code": "MAR"}, "country_code"),
		donor("header injection in e-mail", map[string]any{"name": "A", "kind": "government", "contact_email": "a@example.org\r\nBcc: x@evil.example"}, "contact_email"),
		hostile{name: "pledge stage", method: "POST", path: v1 + "/pledges", status: 422, code: invalid, field: "stage",
			body: map[string]any{"fund_id": l.fund, "donor_id": l.donors[0], "amount": "1.00", "currency": "USD", "pledged_on": "2024-07-01", "stage": "binding"}},
		hostile{name: "pledge negative", method: "POST", path: v1 + "/pledges", status: 422, code: invalid, field: "amount",
			body: map[string]any{"fund_id": l.fund, "donor_id": l.donors[0], "amount": "-1.00", "currency": "USD", "pledged_on": "2024-07-01"}},
		hostile{name: "pledge unknown donor", method: "POST", path: v1 + "/pledges", status: 422, code: invalid, field: "donor_id",
			body: map[string]any{"fund_id": l.fund, "donor_id": 999_999, "amount": "1.00", "currency": "USD", "pledged_on": "2024-07-01"}},
		hostile{name: "pledge bad date", method: "POST", path: v1 + "/pledges", status: 422, code: invalid, field: "pledged_on",
			body: map[string]any{"fund_id": l.fund, "donor_id": l.donors[0], "amount": "1.00", "currency": "USD", "pledged_on": "2024-02-30"}},
		hostile{name: "rate zero", method: "POST", path: v1 + "/exchange-rates", status: 422, code: invalid, field: "units_per_usd",
			body: map[string]any{"currency": "GBP", "effective_on": "2024-01-01", "units_per_usd": "0"}},
		hostile{name: "rate bool", method: "POST", path: v1 + "/exchange-rates", status: 422, code: invalid, field: "units_per_usd",
			body: map[string]any{"currency": "GBP", "effective_on": "2024-01-01", "units_per_usd": true}},
		hostile{name: "rate for USD", method: "POST", path: v1 + "/exchange-rates", status: 422, code: invalid, field: "currency",
			body: map[string]any{"currency": "USD", "effective_on": "2024-01-01", "units_per_usd": "1"}},
		hostile{name: "fund code with SQL", method: "POST", path: v1 + "/funds", status: 422, code: invalid, field: "code",
			body: map[string]any{"code": "x'; DROP TABLE funds; --", "name": "X", "target_usd": "1"}},
		hostile{name: "fund target negative", method: "POST", path: v1 + "/funds", status: 422, code: invalid, field: "target_usd",
			body: map[string]any{"code": "x", "name": "X", "target_usd": "-1"}},
		hostile{name: "void without a reason", method: "POST", path: v1 + "/contributions/999999/void", body: `{}`, status: 422, code: invalid, field: "reason"},
		hostile{name: "id with SQL in the path", method: "GET", path: v1 + "/contributions/1%20OR%201=1", status: 404, code: "not_found"},
	)

	for _, tc := range cases {
		t.Run("refused/"+tc.name, func(t *testing.T) {
			before := admin.counts(t)
			r, err := admin.call(tc.method, tc.path, tc.body, tc.header...)
			if err != nil {
				t.Fatal(err)
			}
			var e errorBody
			if json.Unmarshal(r.Body, &e) != nil || e.Error == nil || e.Error.Message == "" {
				t.Fatalf("answered %d without the error body: %.300s", r.Status, r.Body)
			}
			if r.Status != tc.status || e.Error.Code != tc.code {
				t.Errorf("answered %d %s, want %d %s: %.300s", r.Status, e.Error.Code, tc.status, tc.code, r.Body)
			}
			if tc.field != "" && e.Error.Fields[tc.field] == "" {
				t.Errorf("the error does not name the field %q: %.300s", tc.field, r.Body)
			}
			if !strings.Contains(e.Error.Message, tc.message) {
				t.Errorf("the message %q does not contain %q", e.Error.Message, tc.message)
			}
			if after := admin.counts(t); !reflect.DeepEqual(before, after) {
				t.Errorf("something was written: %v before, %v after", before, after)
			}
		})
	}

	// Injection strings that are valid text: stored verbatim, neutralised in CSV.
	accepted := []string{sqlName, "Robert'); DROP TABLE donors;--", `=HYPERLINK("https://evil.example","click")`,
		"+1+1", "-2+3", "@SUM(A1:A9)", "=cmd|' /C calc'!A0", "مؤسسة الخير", "Zürich ∑ 🌍 \"quoted\", comma"}
	for i, text := range accepted {
		t.Run(fmt.Sprintf("stored verbatim/%d", i), func(t *testing.T) {
			d := admin.must(t, "POST", v1+"/donors", gov(text), http.StatusCreated).id(t)
			var got struct{ Name string }
			admin.must(t, "GET", fmt.Sprintf("%s/donors/%d", v1, d), nil, http.StatusOK).decode(t, &got)
			body := l.contribution(d, "1.00", "USD", "2024-08-02")
			body["reference"], body["notes"] = text, text
			var ct struct{ Reference, Notes string }
			admin.must(t, "POST", v1+"/contributions", body, http.StatusCreated).decode(t, &ct)
			if got.Name != text || ct.Reference != text || ct.Notes != text {
				t.Errorf("stored name %q, reference %q, notes %q; want %q", got.Name, ct.Reference, ct.Notes, text)
			}
		})
	}
	rows := admin.csvRows(t, fmt.Sprintf("%s/exports/contributions.csv?fund_id=%d", v1, l.fund))
	if len(rows) != len(accepted) {
		t.Fatalf("the export has %d rows, want %d", len(rows), len(accepted))
	}
	neutralised := func(text string) string { // what a CSV cell must hold for a stored text
		if strings.ContainsRune("=+-@", rune(text[0])) {
			return "'" + text
		}
		return text
	}
	exported := map[string]bool{}
	for _, row := range rows {
		i := slices.IndexFunc(accepted, func(text string) bool { return neutralised(text) == row["donor_name"] })
		if i < 0 || row["reference"] != row["donor_name"] || row["notes"] != row["donor_name"] {
			t.Errorf("CSV row holds donor_name %q, reference %q, notes %q: none is a stored text, neutralised",
				row["donor_name"], row["reference"], row["notes"])
			continue
		}
		exported[accepted[i]] = true
	}
	if len(exported) != len(accepted) {
		t.Errorf("the export holds %d of the %d texts", len(exported), len(accepted))
	}
	// The tables are intact and still answer.
	admin.must(t, "GET", fmt.Sprintf("%s/funds/%d/progress", v1, l.fund), nil, http.StatusOK)
	if n := len(admin.all(t, v1+"/contributions")); n != len(accepted) {
		t.Errorf("%d contributions listed, want %d", n, len(accepted))
	}
	srv.checkLogClean(t)
	addFigures(len(rows), len(cases)+len(accepted))
	t.Logf("%d hostile inputs refused with nothing written; %d injection strings stored verbatim and neutralised in CSV",
		len(cases), len(accepted))
}

// A cookie-authenticated write from another site is refused; the same write
// from the same origin, and a bearer token from anywhere, are not.
func TestCookieCrossSiteWrites(t *testing.T) {
	srv := startServer(t, storetest.DSN(t))
	anon := srv.client()
	r := anon.must(t, "POST", v1+"/auth/login", map[string]string{"email": adminEmail, "password": adminPassword}, http.StatusOK)
	var token struct{ Token string }
	r.decode(t, &token)
	var cookie *http.Cookie
	for _, ck := range (&http.Response{Header: r.Header}).Cookies() {
		if ck.Name == "fundtracker_session" {
			cookie = ck
		}
	}
	if cookie == nil {
		t.Fatalf("login set no session cookie: %v", r.Header.Values("Set-Cookie"))
	}
	if !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" || cookie.MaxAge <= 0 || cookie.MaxAge > 24*3600 {
		t.Errorf("session cookie %q: want HttpOnly, SameSite=Lax, Path=/, expiring within a day", r.Header.Get("Set-Cookie"))
	}
	if cookie.Secure {
		t.Errorf("the cookie is Secure over plain HTTP: browsers would drop it")
	}
	withCookie := []string{"Cookie", cookie.Name + "=" + cookie.Value}
	donor := func(name string) map[string]string { return map[string]string{"name": name, "kind": "foundation"} }
	admin := srv.client()
	admin.token = token.Token
	refused := []struct {
		name   string
		header []string
	}{
		{"Sec-Fetch-Site cross-site", []string{"Sec-Fetch-Site", "cross-site"}},
		{"Sec-Fetch-Site same-site", []string{"Sec-Fetch-Site", "same-site"}},
		{"Origin of another site", []string{"Origin", "https://evil.example"}},
		{"Origin null", []string{"Origin", "null"}},
	}
	for _, tc := range refused {
		t.Run("refused/"+tc.name, func(t *testing.T) {
			before := admin.counts(t)
			r, err := anon.call("POST", v1+"/donors", donor("Cross-site "+tc.name), append(slices.Clone(withCookie), tc.header...)...)
			var e errorBody
			if err != nil || r.Status != http.StatusForbidden || json.Unmarshal(r.Body, &e) != nil || e.Error == nil || e.Error.Code != "forbidden" {
				t.Errorf("answered %v %d %s, want 403 forbidden", err, r.Status, r.Body)
			}
			if after := admin.counts(t); !reflect.DeepEqual(before, after) {
				t.Errorf("something was written: %v before, %v after", before, after)
			}
		})
	}
	t.Run("allowed/same-origin with the cookie", func(t *testing.T) {
		anon.must(t, "POST", v1+"/donors", donor("Same origin"), http.StatusCreated, append(slices.Clone(withCookie), "Sec-Fetch-Site", "same-origin")...)
		anon.must(t, "POST", v1+"/donors", donor("Same origin by Origin"), http.StatusCreated, append(slices.Clone(withCookie), "Origin", srv.base)...)
	})
	t.Run("allowed/cross-site read with the cookie", func(t *testing.T) {
		anon.must(t, "GET", v1+"/donors", nil, http.StatusOK, append(slices.Clone(withCookie), "Sec-Fetch-Site", "cross-site")...)
	})
	t.Run("allowed/bearer token from a foreign origin", func(t *testing.T) {
		admin.must(t, "POST", v1+"/donors", donor("Bearer from afar"), http.StatusCreated, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	})
	t.Run("Secure behind a TLS proxy", func(t *testing.T) {
		tls := startServer(t, storetest.DSN(t), "FUNDTRACKER_SECURE_COOKIES=true")
		r := tls.client().must(t, "POST", v1+"/auth/login", map[string]string{"email": adminEmail, "password": adminPassword}, http.StatusOK)
		cookies := (&http.Response{Header: r.Header}).Cookies()
		if len(cookies) != 1 || !cookies[0].Secure || !cookies[0].HttpOnly {
			t.Errorf("with FUNDTRACKER_SECURE_COOKIES=true the cookie is %q, want Secure and HttpOnly", r.Header.Get("Set-Cookie"))
		}
	})
	t.Run("logout revokes the cookie", func(t *testing.T) {
		anon.must(t, "GET", v1+"/donors", nil, http.StatusOK, withCookie...)
		anon.must(t, "POST", v1+"/auth/logout", nil, http.StatusNoContent, append(slices.Clone(withCookie), "Sec-Fetch-Site", "same-origin")...)
		r := anon.must(t, "GET", v1+"/donors", nil, http.StatusUnauthorized, withCookie...)
		var e errorBody
		if json.Unmarshal(r.Body, &e) != nil || e.Error == nil || e.Error.Code != "unauthorized" {
			t.Errorf("after logout the cookie answered %s, want the unauthorized error body", r.Body)
		}
		admin.must(t, "GET", v1+"/donors", nil, http.StatusUnauthorized) // the token the login answered is the same session
	})
}

// Repeated wrong passwords lock the account (and the address) with 429, the
// right password too while locked, and the log says so.
func TestLoginThrottling(t *testing.T) {
	srv := startServer(t, storetest.DSN(t))
	c := srv.client()
	loginUntilLocked := func(t *testing.T, email func(i int) string) int {
		t.Helper()
		for i := 1; i <= 50; i++ {
			r, err := c.call("POST", v1+"/auth/login", map[string]string{"email": email(i), "password": "wrong-password-" + strconv.Itoa(i)})
			if err != nil {
				t.Fatal(err)
			}
			var e errorBody
			json.Unmarshal(r.Body, &e)
			switch {
			case r.Status == http.StatusTooManyRequests && e.Error != nil && e.Error.Code == "rate_limited":
				if i == 1 {
					t.Fatal("the first failure was already throttled")
				}
				return i
			case r.Status != http.StatusUnauthorized || e.Error == nil || e.Error.Code != "unauthorized":
				t.Fatalf("attempt %d answered %d %s", i, r.Status, r.Body)
			}
		}
		t.Fatal("50 wrong passwords were never throttled")
		return 0
	}
	n := loginUntilLocked(t, func(int) string { return adminEmail })
	r, _ := c.call("POST", v1+"/auth/login", map[string]string{"email": adminEmail, "password": adminPassword})
	if r.Status != http.StatusTooManyRequests {
		t.Errorf("the right password while locked answered %d %s, want 429", r.Status, r.Body)
	}
	srv.waitLog(t, "login throttled")
	// From one address, failures across many accounts lock the address.
	m := loginUntilLocked(t, func(i int) string { return fmt.Sprintf("nobody%d@example.org", i) })
	r, _ = c.call("POST", v1+"/auth/login", map[string]string{"email": "fresh@example.org", "password": "whatever-it-is"})
	if r.Status != http.StatusTooManyRequests {
		t.Errorf("a fresh account from a locked address answered %d, want 429", r.Status)
	}
	t.Logf("account locked at attempt %d, address locked after %d more accounts' failures; log says \"login throttled\"", n, m)
}

// Security headers on the API, the pages and the errors.
func TestSecurityHeaders(t *testing.T) {
	srv := startServer(t, storetest.DSN(t))
	c := srv.client()
	for _, path := range []string{"/", "/staff", "/funds/some-fund", "/static/js/api.js", "/healthz", "/api/openapi.json",
		v1 + "/funds", v1 + "/donors", v1 + "/no-such-route"} {
		r, err := c.call("GET", path, nil)
		if err != nil {
			t.Fatal(err)
		}
		h := r.Header
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" ||
			!slices.Contains([]string{"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}, h.Get("Referrer-Policy")) {
			t.Errorf("%s: nosniff %q, frame %q, referrer %q", path, h.Get("X-Content-Type-Options"), h.Get("X-Frame-Options"), h.Get("Referrer-Policy"))
		}
		csp := h.Get("Content-Security-Policy")
		directives := map[string][]string{}
		for _, d := range strings.Split(csp, ";") {
			if f := strings.Fields(d); len(f) > 0 {
				directives[f[0]] = f[1:]
			}
		}
		if !slices.Equal(directives["frame-ancestors"], []string{"'none'"}) || len(directives["default-src"]) == 0 {
			t.Errorf("%s: CSP %q lacks default-src or frame-ancestors 'none'", path, csp)
		}
		for name, sources := range directives {
			for _, src := range sources {
				if src != "'self'" && src != "'none'" && src != "data:" {
					t.Errorf("%s: CSP %s allows %s", path, name, src)
				}
			}
		}
	}
}

// SIGTERM lets a request in flight finish, then the process exits 0.
func TestGracefulShutdown(t *testing.T) {
	dsn := storetest.DSN(t)
	srv := startServer(t, dsn)
	admin := srv.login(t, adminEmail, adminPassword)
	l := newLedger(t, admin, "shutdown", 1)
	body, _ := json.Marshal(l.contribution(l.donors[0], "1234.56", "EUR", "2024-09-30"))
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", srv.base+v1+"/contributions", pr)
	req.ContentLength = int64(len(body))
	req.Header.Set("Authorization", "Bearer "+admin.token)
	req.Header.Set("Expect", "100-continue")
	reading := make(chan struct{}) // the handler is reading the body: the request is in flight
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{Got100Continue: func() { close(reading) }}))
	hc := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: time.Minute}}
	answer := make(chan reply, 1)
	go func() {
		resp, err := hc.Do(req)
		if err != nil {
			t.Error(err)
			answer <- reply{}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		answer <- reply{Status: resp.StatusCode, Body: b}
	}()
	<-reading
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	srv.waitLog(t, "shutting down")
	pw.Write(body)
	pw.Close()
	r := <-answer
	if r.Status != http.StatusCreated {
		t.Fatalf("the request in flight at SIGTERM answered %d %s, want 201", r.Status, r.Body)
	}
	if err := srv.wait(t); err != nil {
		t.Fatalf("the server exited with %v after SIGTERM, want 0", err)
	}
	id := r.id(t)
	srv = startServer(t, dsn)
	srv.login(t, adminEmail, adminPassword).must(t, "GET", fmt.Sprintf("%s/contributions/%d", v1, id), nil, http.StatusOK)
	t.Logf("the request in flight at SIGTERM answered 201 (contribution %d, present after restart); exit status 0", id)
}

// Every write and login is audited with actor, address, before and after;
// only admins read the audit; nothing changes it.
func TestAuditTrail(t *testing.T) {
	srv := startServer(t, storetest.DSN(t))
	admin := srv.login(t, adminEmail, adminPassword)
	l := newLedger(t, admin, "audited", 1)
	d := l.donors[0]
	admin.must(t, "PATCH", fmt.Sprintf("%s/donors/%d", v1, d), map[string]any{"name": "Renamed donor"}, http.StatusOK)
	ct := admin.must(t, "POST", v1+"/contributions", l.contribution(d, "10.00", "USD", "2024-08-01"), http.StatusCreated).id(t)
	admin.must(t, "POST", fmt.Sprintf("%s/contributions/%d/void", v1, ct), map[string]string{"reason": "entered twice"}, http.StatusOK)
	p := admin.must(t, "POST", v1+"/pledges", map[string]any{"fund_id": l.fund, "donor_id": d, "amount": "50.00",
		"currency": "USD", "pledged_on": "2024-07-01"}, http.StatusCreated).id(t)
	admin.must(t, "POST", fmt.Sprintf("%s/pledges/%d/cancel", v1, p), map[string]string{"reason": "withdrawn"}, http.StatusOK)
	srv.client().must(t, "POST", v1+"/auth/login", map[string]string{"email": adminEmail, "password": "not-the-password"}, http.StatusUnauthorized)
	admin.must(t, "POST", v1+"/users", map[string]string{"email": "staff@reliability.example", "password": "staff-password-long", "role": "staff"}, http.StatusCreated)
	staff := srv.login(t, "staff@reliability.example", "staff-password-long")

	type event struct {
		Actor         string
		SourceIP      string `json:"source_ip"`
		Action        string
		Entity        string
		EntityID      *int64 `json:"entity_id"`
		Before, After json.RawMessage
	}
	var events []event
	for _, raw := range admin.all(t, v1+"/audit") {
		var e event
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
	}
	find := func(action, entity string, id int64) *event {
		for i, e := range events {
			if e.Action == action && e.Entity == entity && (id == 0 || e.EntityID != nil && *e.EntityID == id) {
				return &events[i]
			}
		}
		return nil
	}
	present := func(j json.RawMessage) bool { return len(j) > 0 && string(j) != "null" }
	for _, want := range []struct {
		action, entity string
		id             int64
		before         bool
		actor          string
	}{
		{"create", "donor", d, false, adminEmail},
		{"update", "donor", d, true, adminEmail},
		{"create", "contribution", ct, false, adminEmail},
		{"void", "contribution", ct, true, adminEmail},
		{"cancel", "pledge", p, true, adminEmail},
		{"login_failed", "session", 0, false, adminEmail},
		{"login", "session", 0, false, "staff@reliability.example"},
		{"create", "user", 0, false, adminEmail},
	} {
		e := find(want.action, want.entity, want.id)
		switch {
		case e == nil:
			t.Errorf("no audit event %s %s %d in %d events", want.action, want.entity, want.id, len(events))
		case e.SourceIP != "127.0.0.1" || (want.actor != "" && e.Actor != want.actor) || !present(e.After) || present(e.Before) != want.before:
			t.Errorf("audit %s %s: actor %q, source_ip %q, before %s, after %s", want.action, want.entity, e.Actor, e.SourceIP, e.Before, e.After)
		}
	}
	var voided struct{ Voided bool }
	if e := find("void", "contribution", ct); e != nil {
		json.Unmarshal(e.After, &voided)
		if !voided.Voided {
			t.Errorf("the void's after is %s", e.After)
		}
	}
	filtered := admin.all(t, fmt.Sprintf("%s/audit?entity=contribution&entity_id=%d", v1, ct))
	if len(filtered) != 2 {
		t.Errorf("audit filtered on contribution %d lists %d events, want 2 (create, void)", ct, len(filtered))
	}
	staff.must(t, "GET", v1+"/audit", nil, http.StatusForbidden)
	srv.client().must(t, "GET", v1+"/audit", nil, http.StatusUnauthorized)
	before := len(admin.all(t, v1+"/audit"))
	for _, method := range []string{"PUT", "PATCH", "DELETE", "POST"} {
		for _, path := range []string{v1 + "/audit", v1 + "/audit/1"} {
			r, err := admin.call(method, path, `{"action":"nothing"}`)
			var e errorBody
			if err != nil || (r.Status != http.StatusNotFound && r.Status != http.StatusMethodNotAllowed) ||
				json.Unmarshal(r.Body, &e) != nil || e.Error == nil {
				t.Errorf("%s %s answered %v %d %s, want 404 or 405 with the error body", method, path, err, r.Status, r.Body)
			}
		}
	}
	if after := len(admin.all(t, v1+"/audit")); after != before {
		t.Errorf("the audit changed from %d to %d events", before, after)
	}
	addFigures(len(events), 0)
	t.Logf("%d audit events checked; staff 403, anonymous 401; no route changes the audit", len(events))
}

// TestSummary runs last: it reports the suite's figures.
func TestSummary(t *testing.T) {
	t.Log(summary())
}
