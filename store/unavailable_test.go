package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"testing"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

// openPostgresTest opens a migrated store on a fresh schema of
// FUNDTRACKER_TEST_DATABASE_URL, its connections named app (application_name),
// and a separate connection to terminate them with. (storetest cannot be
// imported here: it imports this package.)
func openPostgresTest(t *testing.T) (s *Store, admin *sql.DB, app string) {
	t.Helper()
	base := os.Getenv("FUNDTRACKER_TEST_DATABASE_URL")
	if base == "" {
		if os.Getenv("FUNDTRACKER_TEST_ENGINE") == "postgres" {
			t.Fatal("FUNDTRACKER_TEST_DATABASE_URL is unset")
		}
		t.Skip("skipping: FUNDTRACKER_TEST_DATABASE_URL is unset (a PostgreSQL-only test)")
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema, app := "t_"+hex.EncodeToString(b), "ft_lost_"+hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE"); admin.Close() })
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("application_name", app)
	u.RawQuery = q.Encode()
	s, err = Open(context.Background(), Config{DSN: u.String(), Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, admin, app
}

// terminate ends the backends of the store's connections, as an
// administrator or a failover would.
func terminate(t *testing.T, admin *sql.DB, app string) int {
	t.Helper()
	var n int
	if err := admin.QueryRow("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1", app).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func fundCount(t *testing.T, s *Store, code string) int64 {
	var n int64
	if err := s.r.Raw("SELECT count(*) FROM funds WHERE code = ?", code).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func insertFund(tx *gorm.DB, code string) error {
	return tx.Exec("INSERT INTO funds (code, name, organization, target_cents, opens_on, created_at, updated_at) VALUES (?, ?, '', 100, '2024-01-01', now(), now())",
		code, code).Error
}

// A write whose connection is terminated before COMMIT runs once more and
// succeeds; lost twice, or lost at COMMIT, it is 503 unavailable, never a 500.
func TestLostConnectionRetriedOnceOr503(t *testing.T) {
	s, admin, app := openPostgresTest(t)
	ctx := context.Background()
	var pid int
	killOwn := func(tx *gorm.DB) {
		if err := tx.Raw("SELECT pg_backend_pid()").Scan(&pid).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := admin.Exec("SELECT pg_terminate_backend($1)", pid); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("lost before COMMIT: run again", func(t *testing.T) {
		calls := 0
		err := s.writer.do(ctx, func(tx *gorm.DB) error {
			if calls++; calls == 1 {
				killOwn(tx)
			}
			return insertFund(tx, "retried")
		})
		if err != nil || calls != 2 || fundCount(t, s, "retried") != 1 {
			t.Fatalf("err %v after %d runs, %d rows; want success on the second run, one row", err, calls, fundCount(t, s, "retried"))
		}
	})
	t.Run("lost twice: 503", func(t *testing.T) {
		calls := 0
		err := s.writer.do(ctx, func(tx *gorm.DB) error {
			calls++
			killOwn(tx)
			return insertFund(tx, "lost-twice")
		})
		if models.ErrorCode(err) != models.EUNAVAILABLE || calls != 2 || fundCount(t, s, "lost-twice") != 0 {
			t.Fatalf("err %v after %d runs; want unavailable after 2 runs, no row", err, calls)
		}
		var me *models.Error
		if !errors.As(err, &me) || me.RetryAfter < 1 {
			t.Errorf("unavailable without Retry-After: %#v", err)
		}
	})
	t.Run("lost at COMMIT: 503, not run again", func(t *testing.T) {
		calls := 0
		err := s.writer.do(ctx, func(tx *gorm.DB) error {
			calls++
			if err := insertFund(tx, "at-commit"); err != nil {
				return err
			}
			killOwn(tx)
			return nil
		})
		if models.ErrorCode(err) != models.EUNAVAILABLE || calls != 1 {
			t.Fatalf("err %v after %d runs; want unavailable after 1 run", err, calls)
		}
	})
	t.Run("pool's connections terminated while idle: reads and writes go on", func(t *testing.T) {
		for i := 0; i < 3; i++ {
			if err := s.Ping(ctx); err != nil { // warm the pool
				t.Fatal(err)
			}
			if n := terminate(t, admin, app); n == 0 {
				t.Fatal("no backend to terminate")
			}
			if err := s.Ping(ctx); err != nil {
				t.Fatalf("a read after the pool's backends were terminated: %v", err)
			}
			terminate(t, admin, app)
			code := "after-terminate-" + string(rune('a'+i))
			if err := s.writer.do(ctx, func(tx *gorm.DB) error { return insertFund(tx, code) }); err != nil {
				t.Fatalf("a write after the pool's backends were terminated: %v", err)
			}
		}
	})
	t.Run("a read that loses its connection is unavailable", func(t *testing.T) {
		err := s.r.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			killOwn(tx)
			var one int
			return tx.Raw("SELECT 1").Scan(&one).Error
		})
		if models.ErrorCode(err) != models.EUNAVAILABLE {
			t.Fatalf("a read on a terminated connection: %v, want unavailable", err)
		}
	})
}
