//go:build reliability

package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fundtracker/fundtracker/store/storetest"
)

// TestBackupWhileServing (issue 17): `fundtracker backup --to FILE` run
// against the database of a serving process while 8 clients post payments
// (each with an Idempotency-Key) succeeds; `fundtracker restore --from FILE`
// loads it into an empty database and refuses a second time; a server on the
// restored database answers progress, donors and timelines exactly as a
// server on the backup file itself, and replays a key acknowledged before the
// backup began.
func TestBackupWhileServing(t *testing.T) {
	dsn := storetest.DSN(t)
	srv := startServer(t, dsn)
	admin := srv.login(t, adminEmail, adminPassword)
	l := newLedger(t, admin, "backup", 8)

	type ack struct {
		key  string
		body []byte
	}
	var (
		mu    sync.Mutex
		acked []ack
		count atomic.Int64
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				key := fmt.Sprintf("backup-%d-%d", w, i)
				r, err := admin.call("POST", v1+"/contributions", l.contribution(l.donors[w], fmt.Sprintf("%d.25", 100+i), "USD", "2025-08-01"),
					"Idempotency-Key", key)
				if err != nil || r.Status != http.StatusCreated {
					t.Errorf("writer %d: %v %d %s", w, err, r.Status, r.Body)
					return
				}
				mu.Lock()
				acked = append(acked, ack{key, r.Body})
				mu.Unlock()
				count.Add(1)
			}
		})
	}
	waitFor := func(n int64) {
		for deadline := time.Now().Add(time.Minute); count.Load() < n && !t.Failed(); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Errorf("writers stalled at %d", count.Load())
				return
			}
		}
	}
	waitFor(40)
	mu.Lock()
	before := acked[len(acked)-1]
	beforeCount := len(acked)
	mu.Unlock()
	file := filepath.Join(t.TempDir(), "backup.db")
	out, err := command(t, dsn, "backup", "--to", file)
	afterBackup := count.Load()
	waitFor(afterBackup + 40)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("backup while serving: %v\n%s", err, out)
	}
	if !strings.Contains(out, "backed up") {
		t.Errorf("backup printed no summary:\n%s", out)
	}
	if t.Failed() {
		t.FailNow()
	}

	target := storetest.DSN(t)
	if out, err := command(t, target, "restore", "--from", file); err != nil || !strings.Contains(out, "restored") {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if out, err := command(t, target, "restore", "--from", file); err == nil || !strings.Contains(out, "not empty") {
		t.Errorf("a second restore into the same database: %v, want a refusal naming a non-empty target\n%s", err, out)
	}

	// A server on (a copy of) the backup file, and one on the restored database.
	copyOfBackup := filepath.Join(t.TempDir(), "served-backup.db")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(copyOfBackup, b, 0o600); err != nil {
		t.Fatal(err)
	}
	fromBackup, restored := startServer(t, copyOfBackup), startServer(t, target)
	pub := func(s *server, path string) []byte {
		r := s.client().must(t, "GET", path, nil, http.StatusOK)
		return r.Body
	}
	for _, path := range []string{"/funds/backup/progress", "/funds/backup/donors", "/funds/backup/timeline?interval=day", "/funds/backup/timeline?interval=month"} {
		if a, b := pub(fromBackup, v1+path), pub(restored, v1+path); !bytes.Equal(a, b) {
			t.Errorf("%s differs:\nbackup   %s\nrestored %s", path, a, b)
		}
	}
	var progress struct {
		ContributionCount int64 `json:"contribution_count"`
	}
	restored.client().must(t, "GET", v1+"/funds/backup/progress", nil, http.StatusOK).decode(t, &progress)
	if progress.ContributionCount < int64(beforeCount) || progress.ContributionCount >= count.Load() {
		t.Errorf("the backup holds %d contributions: want at least the %d acknowledged before it began, fewer than the %d written",
			progress.ContributionCount, beforeCount, count.Load())
	}
	// A key acknowledged before the backup began is replayed by the restored database.
	again := restored.login(t, adminEmail, adminPassword)
	var w, i int
	fmt.Sscanf(before.key, "backup-%d-%d", &w, &i)
	r := again.must(t, "POST", v1+"/contributions", l.contribution(l.donors[w], fmt.Sprintf("%d.25", 100+i), "USD", "2025-08-01"),
		http.StatusCreated, "Idempotency-Key", before.key)
	if r.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(r.Body, before.body) {
		t.Errorf("key %s on the restored database: replayed %q, body %s, want the first answer %s",
			before.key, r.Header.Get("Idempotent-Replayed"), r.Body, before.body)
	}
	t.Logf("%s: backup taken while 8 clients wrote (%d acknowledged before it, %d after it ended); it holds %d",
		engine(), beforeCount, afterBackup, progress.ContributionCount)
}

// command runs a fundtracker command on dsn and returns its output.
func command(t *testing.T, dsn string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "FUNDTRACKER_DB="+dsn, "FUNDTRACKER_LOG_FORMAT=json")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}
