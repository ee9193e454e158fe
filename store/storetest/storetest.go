// Package storetest opens a fresh, migrated database for each test: an SQLite
// file in the test's temporary folder, or, when FUNDTRACKER_TEST_ENGINE is
// "postgres", a schema of its own in FUNDTRACKER_TEST_DATABASE_URL.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/fundtracker/fundtracker/store"
	_ "github.com/jackc/pgx/v5/stdlib"
)

func init() {
	// Fast tests; production uses store's defaults.
	store.BcryptCost = 4
	store.PasswordParams = store.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}
}

// Postgres reports whether tests run on PostgreSQL.
func Postgres() bool { return os.Getenv("FUNDTRACKER_TEST_ENGINE") == "postgres" }

// DatabaseURL returns FUNDTRACKER_TEST_DATABASE_URL, skipping the test (and
// saying so) when it is unset, or failing it when the PostgreSQL suite was
// asked for (FUNDTRACKER_TEST_ENGINE=postgres). CI always sets it.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("FUNDTRACKER_TEST_DATABASE_URL")
	if u == "" {
		if Postgres() {
			t.Fatal("FUNDTRACKER_TEST_DATABASE_URL is unset: the PostgreSQL suite cannot run")
		}
		t.Skip("the PostgreSQL comparisons were skipped: FUNDTRACKER_TEST_DATABASE_URL is unset (set it to run them; CI does)")
	}
	return u
}

// DSN returns the DSN of a fresh, empty database for the test: an SQLite file,
// or a new PostgreSQL schema dropped when the test ends.
func DSN(t testing.TB) string {
	t.Helper()
	if !Postgres() {
		return filepath.Join(t.TempDir(), "fundtracker.db")
	}
	return FreshSchema(t, DatabaseURL(t))
}

// FreshSchema creates a schema of its own in a PostgreSQL database and returns
// a URL whose search_path points at it; the schema is dropped at cleanup.
func FreshSchema(t testing.TB, base string) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err == nil {
			db.Exec("DROP SCHEMA " + schema + " CASCADE")
			db.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns a fresh, migrated store, closed when the test ends.
func Open(t testing.TB) *store.Store { return OpenConfig(t, store.Config{}) }

// OpenConfig is Open with settings (a clock, pool sizes); DSN and Migrate are set for the test.
func OpenConfig(t testing.TB, cfg store.Config) *store.Store {
	t.Helper()
	cfg.DSN, cfg.Migrate = DSN(t), true
	s, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
