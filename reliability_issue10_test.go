//go:build reliability

// Issue 10's reliability cases, against real server processes (see
// reliability_test.go): a login flood writes a bounded number of rows, and
// stalled CSV exports cannot starve /healthz, sign-in and public progress.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
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
	_ = strings.Contains
}
