//go:build reliability

// Issue 10's reliability cases, against real server processes (see
// reliability_test.go): a login flood writes a bounded number of rows, and
// stalled CSV exports cannot starve /healthz, sign-in and public progress.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fundtracker/fundtracker/store"
	"github.com/fundtracker/fundtracker/store/storetest"
)

// dbFootprint counts the rows of every table and the bytes the database
// takes (the SQLite file and its WAL, or the schema's relations on PostgreSQL).
func dbFootprint(t *testing.T, dsn string) (rows map[string]int64, bytes int64) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, store.Config{DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if rows, err = s.TableCounts(ctx); err != nil {
		t.Fatal(err)
	}
	if !store.IsPostgres(dsn) {
		for _, f := range []string{dsn, dsn + "-wal"} {
			if fi, err := os.Stat(f); err == nil {
				bytes += fi.Size()
			}
		}
		return rows, bytes
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.QueryRow(`SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'`).Scan(&bytes)
	if err != nil {
		t.Fatal(err)
	}
	return rows, bytes
}

// A flood of 1,000 failed logins (half against one account, half against
// fresh e-mails, all from one address) adds a bounded number of rows: the
// failures before each lock, one event per lock; a refused attempt writes nothing.
func TestLoginFloodWritesBoundedRows(t *testing.T) {
	dsn := storetest.DSN(t)
	srv := startServer(t, dsn)
	srv.login(t, adminEmail, adminPassword) // the admin exists and has signed in once
	beforeRows, beforeBytes := dbFootprint(t, dsn)
	const attempts, workers = 1000, 8
	var next atomic.Int64
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := srv.client()
			for {
				i := next.Add(1)
				if i > attempts {
					return
				}
				email := adminEmail
				if i%2 == 0 {
					email = fmt.Sprintf("nobody%d@flood.example", i)
				}
				r, err := c.call("POST", v1+"/auth/login", map[string]string{"email": email, "password": fmt.Sprintf("wrong-password-%d", i)})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				statuses[r.Status]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if statuses[http.StatusUnauthorized]+statuses[http.StatusTooManyRequests] != attempts {
		t.Fatalf("answers %v, want only 401 and 429", statuses)
	}
	afterRows, afterBytes := dbFootprint(t, dsn)
	added := int64(0)
	for table, n := range afterRows {
		added += n - beforeRows[table]
	}
	// Past the limits (5 per account, 20 per address) every attempt is refused without a write:
	// at most the failures before the locks, their throttle rows, and one event per lock.
	limit := int64(2*(store.AccountMaxFailures+store.AddressMaxFailures) + 4)
	t.Logf("%s: %d failed logins in %s (%v): %d rows added (audit %d, throttles %d), %d bytes (%.1f kB per 1,000 attempts)",
		engine(), attempts, elapsed.Round(time.Millisecond), statuses, added,
		afterRows["audit_events"]-beforeRows["audit_events"], afterRows["login_throttles"]-beforeRows["login_throttles"],
		afterBytes-beforeBytes, float64(afterBytes-beforeBytes)/1000)
	if added > limit {
		t.Errorf("a flood of %d refused logins added %d rows, want at most %d", attempts, added, limit)
	}
	if statuses[http.StatusTooManyRequests] < attempts-int(limit) {
		t.Errorf("only %d of %d attempts were refused", statuses[http.StatusTooManyRequests], attempts)
	}
	srv.checkLogClean(t)
}

// stalledExport opens a connection, asks for a CSV export and never reads the
// answer, with a small receive buffer so that the server's writes soon block.
func stalledExport(t *testing.T, srv *server, token, path string) net.Conn {
	t.Helper()
	d := net.Dialer{Timeout: 5 * time.Second, Control: func(network, address string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		if err != nil {
			return err
		}
		return serr
	}}
	conn, err := d.Dial("tcp", strings.TrimPrefix(srv.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n\r\n", path, strings.TrimPrefix(srv.base, "http://"), token)
	return conn
}

// Thirty clients that ask for a CSV export and stop reading cannot starve the
// service: /healthz, sign-in and public progress still answer within a second;
// exports beyond their share get 429 with Retry-After; a stalled export ends
// after the write timeout, and a new one then runs to its end.
func TestStalledExportsDoNotStarve(t *testing.T) {
	const writeTimeout = 3 * time.Second
	dsn := storetest.DSN(t)
	srv := startServer(t, dsn, "FUNDTRACKER_EXPORT_WRITE_TIMEOUT="+writeTimeout.String())
	admin := srv.login(t, adminEmail, adminPassword)
	l := newLedger(t, admin, "stalled", 4)
	// ~4 MB of CSV: more than socket buffers hold, so a client that reads nothing stalls the writer.
	const rows, writers = 1000, 8
	notes := strings.Repeat("Payment received under the 2025 agreement; see the attached letter. ", 60)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= rows; i = next.Add(1) {
				body := l.contribution(l.donors[i%4], "100.00", "USD", "2024-09-01")
				body["notes"] = notes
				if r, err := admin.call("POST", v1+"/contributions", body); err != nil || r.Status != http.StatusCreated {
					t.Errorf("contribution %d: %v %d %s", i, err, r.Status, r.Body)
					return
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	anon := srv.client()
	anon.hc.Timeout = 10 * time.Second
	checks := []struct {
		what string
		call func() (reply, error)
	}{
		{"GET /healthz", func() (reply, error) { return anon.call("GET", "/healthz", nil) }},
		{"POST /auth/login", func() (reply, error) {
			return anon.call("POST", v1+"/auth/login", map[string]string{"email": adminEmail, "password": adminPassword})
		}},
		{"GET progress", func() (reply, error) { return anon.call("GET", fmt.Sprintf("%s/funds/%d/progress", v1, l.fund), nil) }},
	}
	// What each takes without stalled exports, on this (shared) machine: the
	// bound below is a second beyond it, so that a loaded machine does not
	// fail the test while a starved pool (seconds, until the write timeout) does.
	baseline := make([]time.Duration, len(checks))
	for range 3 {
		for i, c := range checks {
			start := time.Now()
			if r, err := c.call(); err != nil || r.Status != http.StatusOK {
				t.Fatalf("%s: %v %d", c.what, err, r.Status)
			}
			baseline[i] = max(baseline[i], time.Since(start))
		}
	}

	const stalled = 30
	conns := make([]net.Conn, stalled)
	for i := range conns {
		conns[i] = stalledExport(t, srv, admin.token, v1+"/exports/contributions.csv")
	}
	time.Sleep(500 * time.Millisecond) // the exports that run fill their buffers and block

	var slowest time.Duration
	for range 5 {
		for i, c := range checks {
			start := time.Now()
			r, err := c.call()
			took := time.Since(start)
			slowest = max(slowest, took)
			switch {
			case err != nil:
				t.Errorf("%s with %d stalled exports: %v (after %s)", c.what, stalled, err, took)
			case r.Status != http.StatusOK:
				t.Errorf("%s with %d stalled exports: %d %s", c.what, stalled, r.Status, r.Body)
			case took > time.Second+baseline[i]:
				t.Errorf("%s with %d stalled exports took %s, want under a second (beyond the %s it takes without them)",
					c.what, stalled, took, baseline[i])
			}
		}
	}
	// The exports beyond the share were refused at once, with Retry-After.
	var refusedCount atomic.Int64
	for _, conn := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn.SetReadDeadline(time.Now().Add(time.Second))
			head, _ := io.ReadAll(io.LimitReader(conn, 4096)) // a 429 is short, and its connection stays open
			if strings.HasPrefix(string(head), "HTTP/1.1 429") && strings.Contains(string(head), "Retry-After: ") &&
				strings.Contains(string(head), `"rate_limited"`) {
				refusedCount.Add(1)
			}
		}()
	}
	wg.Wait()
	refused := int(refusedCount.Load())
	if refused == 0 || refused == stalled {
		t.Errorf("%d of %d exports refused with 429 and Retry-After, want those beyond the share", refused, stalled)
	}
	// The stalled exports end after the write timeout: a new export runs to its end.
	time.Sleep(writeTimeout + time.Second)
	got := admin.csvRows(t, v1+"/exports/contributions.csv")
	if len(got) != rows {
		t.Errorf("the export after the stalled ones ended has %d rows, want %d", len(got), rows)
	}
	t.Logf("%s: %d stalled exports (%d refused with 429): /healthz, login and progress answered within %s (without stalled exports: %v); after the write timeout (%s) a full export of %d rows ran",
		engine(), stalled, refused, slowest.Round(time.Millisecond), baseline, writeTimeout, len(got))
	srv.checkLogClean(t) // a client that stops reading is its own fault: a warning, not an error, and no 5xx
}

// PostgreSQL drops every connection of a running server (pg_terminate_backend,
// as a failover or an administrator would) between and during requests: no
// answer is a 500; a write is retried or answers 503 with Retry-After, and
// retried with its Idempotency-Key it is written once.
func TestPostgresConnectionsTerminated(t *testing.T) {
	if !storetest.Postgres() {
		t.Skip("PostgreSQL only (FUNDTRACKER_TEST_ENGINE=postgres)")
	}
	base := storetest.DSN(t)
	app := fmt.Sprintf("ft_reliability_%d", time.Now().UnixNano())
	dsn := base + "&application_name=" + app
	srv := startServer(t, dsn)
	admin := srv.login(t, adminEmail, adminPassword)
	l := newLedger(t, admin, "terminated", 2)
	killer, err := sql.Open("pgx", storetest.DatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer killer.Close()
	terminate := func() int {
		var n int
		if err := killer.QueryRow("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1", app).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Terminations between requests (the pool's idle connections, before
	// the load: at least those), then every 50 ms while 4 writers and a
	// reader run (the load may take well under a second on an idle machine).
	var killed atomic.Int64
	killed.Add(int64(terminate()))
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
				killed.Add(int64(terminate()))
			}
		}
	}()
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	const writers, each = 4, 40
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				key := fmt.Sprintf("term-%d-%d", w, i)
				body := l.contribution(l.donors[w%2], "10.00", "USD", "2024-09-01")
				for attempt := 0; ; attempt++ {
					r, err := admin.call("POST", v1+"/contributions", body, "Idempotency-Key", key)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					statuses[r.Status]++
					mu.Unlock()
					if r.Status == http.StatusServiceUnavailable && r.Header.Get("Retry-After") != "" && attempt < 5 {
						time.Sleep(100 * time.Millisecond) // the contract: send it again, with the same key, after a while
						continue
					}
					if r.Status != http.StatusCreated {
						t.Errorf("%s: %d %s", key, r.Status, r.Body)
					}
					break
				}
				if r, err := admin.call("GET", fmt.Sprintf("%s/funds/%d/progress", v1, l.fund), nil); err != nil || (r.Status != http.StatusOK && r.Status != http.StatusServiceUnavailable) {
					t.Errorf("progress: %v %d %s", err, r.Status, r.Body)
				} else {
					mu.Lock()
					statuses[r.Status]++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	if killed.Load() == 0 {
		t.Fatal("no backend was terminated")
	}
	var p struct {
		Paid              string `json:"paid"`
		ContributionCount int    `json:"contribution_count"`
	}
	admin.must(t, "GET", fmt.Sprintf("%s/funds/%d/progress", v1, l.fund), nil, http.StatusOK).decode(t, &p)
	if p.ContributionCount != writers*each || p.Paid != fmt.Sprintf("%d.00", writers*each*10) {
		t.Errorf("after the terminations: %d contributions, paid %s; want %d and %d.00", p.ContributionCount, p.Paid, writers*each, writers*each*10)
	}
	if statuses[http.StatusInternalServerError] > 0 {
		t.Errorf("answers %v: a lost connection answered 500", statuses)
	}
	t.Logf("%d backends terminated while %d writes and reads ran: answers %v; every write present once", killed.Load(), writers*each, statuses)
}
