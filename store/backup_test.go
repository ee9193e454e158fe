package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"github.com/fundtracker/fundtracker/seed"
	"github.com/fundtracker/fundtracker/store"
	"github.com/fundtracker/fundtracker/store/storetest"
)

// openEngine opens a fresh, migrated store on the named engine (PostgreSQL:
// a schema of its own, skipped without FUNDTRACKER_TEST_DATABASE_URL).
func openEngine(t *testing.T, engine string) *store.Store {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "ledger.db")
	if engine == "postgres" {
		dsn = storetest.FreshSchema(t, storetest.DatabaseURL(t))
	}
	s, err := store.Open(context.Background(), store.Config{DSN: dsn, Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestBackupUnderWriteLoadRestores: on each engine, a backup taken while 8
// writers pay into the fund (each with an idempotency key; the seeded demo brings
// voids and cancellations) is
// one consistent snapshot: restored into an empty database of the same
// engine, it reads exactly as the backup file does (progress, donor
// breakdown, timelines, audit trail, idempotency keys), its aggregates equal
// a full rebuild, and every audit row and key it holds is the live
// database's. A backup taken once the writers stop restores equal to the live
// database. Restoring into a database with rows is refused.
func TestBackupUnderWriteLoadRestores(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			src := openEngine(t, engine)
			if err := seed.Demo(ctx, src); err != nil {
				t.Fatal(err)
			}
			funds, err := src.Funds(ctx, models.PageRequest{Limit: 10})
			if err != nil || len(funds.Items) == 0 {
				t.Fatalf("funds: %v %v", funds, err)
			}
			donors, err := src.Donors(ctx, store.DonorFilter{}, models.PageRequest{Limit: 10})
			if err != nil || len(donors.Items) == 0 {
				t.Fatalf("donors: %v %v", donors, err)
			}
			count := func(s *store.Store) int64 {
				c, err := s.TableCounts(ctx)
				if err != nil {
					t.Fatal(err)
				}
				return c["contributions"]
			}
			before := count(src)

			var written atomic.Int64
			stop := make(chan struct{})
			errc := make(chan error, 8)
			var wg sync.WaitGroup
			for w := 0; w < 8; w++ {
				wg.Go(func() {
					a := models.Actor{Email: fmt.Sprintf("writer%d@example.org", w)}
					for i := 0; ; i++ {
						select {
						case <-stop:
							return
						default:
						}
						in := models.ContributionInput{FundID: funds.Items[0].ID, DonorID: donors.Items[(w+i)%len(donors.Items)].ID,
							Currency: "USD", Amount: dec(fmt.Sprintf("%d.%02d", 10+w, i%100)), ReceivedOn: day("2025-08-01")}
						_, _, err := src.CreateContribution(ctx, a, in, store.Idempotency{Key: fmt.Sprintf("w%d-%d", w, i), Fingerprint: "backup-test"})
						if err != nil {
							errc <- err
							return
						}
						written.Add(1)
					}
				})
			}
			waitFor := func(n int64) {
				t.Helper()
				for deadline := time.Now().Add(time.Minute); written.Load() < n; time.Sleep(5 * time.Millisecond) {
					if time.Now().After(deadline) || len(errc) > 0 {
						close(stop)
						wg.Wait()
						t.Fatalf("writers stalled at %d writes: %v", written.Load(), <-errc)
					}
				}
			}
			waitFor(40)
			dir := t.TempDir()
			live := filepath.Join(dir, "live-backup.db")
			if _, err := store.Backup(ctx, src, live, nil); err != nil {
				close(stop)
				wg.Wait()
				t.Fatalf("backup under load: %v", err)
			}
			waitFor(written.Load() + 40) // the writers went on during and after the backup
			close(stop)
			wg.Wait()
			close(errc)
			for err := range errc {
				t.Fatalf("writer: %v", err)
			}
			if fi, err := os.Stat(live); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("backup file mode: %v %v, want 0600", fi.Mode(), err)
			}

			// The backup is a snapshot taken mid-load.
			bk, err := store.Open(ctx, store.Config{DSN: live})
			if err != nil {
				t.Fatal(err)
			}
			defer bk.Close()
			after := count(src)
			if n := count(bk); n <= before || n >= after {
				t.Errorf("the backup holds %d contributions: want a mid-load snapshot, between %d and %d", n, before, after)
			}

			target := openEngine(t, engine)
			if _, err := store.Restore(ctx, live, target, nil); err != nil {
				t.Fatalf("restore: %v", err)
			}
			sameReads(t, ctx, bk, target, funds.Items)

			// The restored aggregates are those of the rows restored.
			agg, err := target.AggregateSnapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := target.RebuildAggregates(ctx); err != nil {
				t.Fatal(err)
			}
			rebuilt, err := target.AggregateSnapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(agg, rebuilt) {
				t.Errorf("restored aggregates differ from a full rebuild:\n%v\n%v", agg, rebuilt)
			}
			// Every audit row and idempotency key restored is the live database's own.
			for _, tbl := range []struct{ name, order string }{{"audit_events", "id"}, {"idempotency_keys", "id"}, {"contributions", "id"}} {
				got, err := store.TableRows(ctx, target, tbl.name, tbl.order)
				if err != nil {
					t.Fatal(err)
				}
				all, err := store.TableRows(ctx, src, tbl.name, tbl.order)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range got {
					if !slices.Contains(all, r) {
						t.Errorf("%s: restored row not in the live database: %s", tbl.name, r)
						break
					}
				}
			}

			// Once the writers stop, a backup restores equal to the live database.
			quiet := filepath.Join(dir, "quiet-backup.db")
			if _, err := store.Backup(ctx, src, quiet, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := store.Backup(ctx, src, quiet, nil); !errors.Is(err, store.ErrBackupExists) {
				t.Errorf("backup over an existing file: %v, want %v", err, store.ErrBackupExists)
			}
			target2 := openEngine(t, engine)
			if _, err := store.Restore(ctx, quiet, target2, nil); err != nil {
				t.Fatalf("restore: %v", err)
			}
			sameReads(t, ctx, src, target2, funds.Items)

			// A target with rows is refused, and left as it was.
			if _, err := store.Restore(ctx, quiet, target, nil); !errors.Is(err, store.ErrTargetNotEmpty) {
				t.Errorf("restore into a database with rows: %v, want %v", err, store.ErrTargetNotEmpty)
			}
			sameReads(t, ctx, bk, target, funds.Items)
			t.Logf("%s: %d writes by 8 writers; the live backup holds %d of %d contributions", engine, written.Load(), count(bk), after)
		})
	}
}

// sameReads fails the test unless a and b read the same: every fund's
// progress, donor breakdown and timelines, the audit trail, and the
// idempotency keys with their stored answers.
func sameReads(t *testing.T, ctx context.Context, a, b *store.Store, funds []models.Fund) {
	t.Helper()
	for _, f := range funds {
		id := fmt.Sprint(f.ID)
		equalJSON(t, "figures of fund "+id, func(s *store.Store) (any, error) {
			b, err := s.FundFigures(ctx, id)
			return string(b), err
		}, a, b)
	}
	equalJSON(t, "audit", func(s *store.Store) (any, error) {
		return s.Audit(ctx, store.AuditFilter{}, models.PageRequest{Limit: 100000})
	}, a, b)
	equalJSON(t, "idempotency keys", func(s *store.Store) (any, error) {
		return store.TableRows(ctx, s, "idempotency_keys", "id")
	}, a, b)
}

// TestBackupRefusesATableItWouldLeaveBehind: a table that copyTables does not
// list (a migration's new table nobody registered) stops a backup through
// Copy and a restore, rather than being left out silently.
func TestBackupRefusesATableItWouldLeaveBehind(t *testing.T) {
	ctx := context.Background()
	src := storetest.Open(t)
	if err := store.Exec(src, "CREATE TABLE unregistered_things (id INTEGER PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	target := openEngine(t, "sqlite")
	_, err := store.Copy(ctx, src, target, nil)
	if err == nil || !strings.Contains(err.Error(), "unregistered_things") {
		t.Fatalf("copy with an unregistered table: %v, want an error naming it", err)
	}
	// A native SQLite backup holds it; restoring that backup refuses too.
	if storetest.Postgres() {
		return
	}
	file := filepath.Join(t.TempDir(), "b.db")
	if _, err := store.Backup(ctx, src, file, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Restore(ctx, file, target, nil); err == nil || !strings.Contains(err.Error(), "unregistered_things") {
		t.Fatalf("restore with an unregistered table: %v, want an error naming it", err)
	}
}
