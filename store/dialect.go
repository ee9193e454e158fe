package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/fundtracker/fundtracker/models"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// dialect is the one seam between SQLite and PostgreSQL: everything else in
// the store is written once for both.
type dialect interface {
	name() string
	gooseDialect() goose.Dialect
	gooseOptions() []goose.ProviderOption
	// forUpdate locks the rows a query reads until the transaction ends
	// (SQLite needs nothing: its single writer already excludes others).
	forUpdate(tx *gorm.DB) *gorm.DB
	// isRetryable reports a transaction that failed only because of a
	// concurrent one (serialization failure, deadlock) and may be run again.
	isRetryable(err error) bool
	// resetIDs moves a table's id generator past its highest id, after rows
	// were inserted with their ids (SQLite's AUTOINCREMENT follows by itself).
	resetIDs(tx *gorm.DB, table string) error
	// snapshot is how to begin a read transaction that sees one consistent snapshot.
	snapshot() *sql.TxOptions
	// lockFor is a hot-path statement as this engine runs it: placeholders
	// rebound, and the rows of the table aliased lock locked (lock "" for none).
	lockFor(q, lock string) string
	// lower is SQL for expr in lower case, every letter as Go's strings.ToLower
	// maps it (SQLite's own LOWER maps ASCII only).
	lower(expr string) string
	// reserveIDs reserves n new ids of a table's id column, in ascending
	// order, for rows inserted with their ids (an import's multi-row INSERTs:
	// neither engine promises that RETURNING answers in VALUES order).
	reserveIDs(ctx context.Context, tx *sql.Tx, table string, n int) ([]int64, error)
	// bulkCache gives a large write (an import) a larger page cache on its
	// connection until restore: its inserts spread over every index of the
	// tables they write, which a small cache would read and spill again and
	// again. A no-op where the server manages its own cache (PostgreSQL).
	bulkCache(ctx context.Context, tx *sql.Tx) (restore func(), err error)
}

// sqliteDriver is mattn/go-sqlite3 with fold(text), Go's strings.ToLower, so
// that SQLite lowers every letter as PostgreSQL's LOWER does.
const sqliteDriver = "sqlite3_fundtracker"

func init() {
	sql.Register(sqliteDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		if err := c.RegisterFunc("fold", strings.ToLower, true); err != nil {
			return err
		}
		// ft_fold: case- and accent-insensitive search (issue 14); PostgreSQL
		// defines the same function in its migration 00006.
		return c.RegisterFunc("ft_fold", models.Fold, true)
	}})
}

type sqliteDialect struct{}

func (sqliteDialect) name() string                         { return "sqlite" }
func (sqliteDialect) gooseDialect() goose.Dialect          { return goose.DialectSQLite3 }
func (sqliteDialect) gooseOptions() []goose.ProviderOption { return nil }
func (sqliteDialect) forUpdate(tx *gorm.DB) *gorm.DB       { return tx }
func (sqliteDialect) resetIDs(*gorm.DB, string) error      { return nil }
func (sqliteDialect) lower(expr string) string             { return "fold(" + expr + ")" }
func (sqliteDialect) lockFor(q, _ string) string           { return q }
func (sqliteDialect) snapshot() *sql.TxOptions             { return nil } // a read transaction in WAL mode is one
// reserveIDs: the single writer holds the database (BEGIN IMMEDIATE), so the
// ids after the table's AUTOINCREMENT counter (and its highest id) are
// free until it commits; inserting them moves the counter past them.
func (sqliteDialect) reserveIDs(ctx context.Context, tx *sql.Tx, table string, n int) ([]int64, error) {
	var last int64
	err := tx.QueryRowContext(ctx, `SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ?), 0),
		COALESCE((SELECT MAX(id) FROM `+table+`), 0))`, table).Scan(&last)
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = last + 1 + int64(i)
	}
	return ids, err
}

// bulkCacheKiB is the page cache of SQLite's writer during an import.
const bulkCacheKiB = 32 << 10

func (sqliteDialect) bulkCache(ctx context.Context, tx *sql.Tx) (func(), error) {
	var was int64
	if err := tx.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&was); err != nil {
		return func() {}, err
	}
	if _, err := tx.ExecContext(ctx, "PRAGMA cache_size = -"+strconv.Itoa(bulkCacheKiB)); err != nil {
		return func() {}, err
	}
	return func() { tx.ExecContext(ctx, "PRAGMA cache_size = "+strconv.FormatInt(was, 10)) }, nil
}

func (sqliteDialect) isRetryable(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}

type postgresDialect struct{}

func (postgresDialect) name() string                { return "postgres" }
func (postgresDialect) gooseDialect() goose.Dialect { return goose.DialectPostgres }
func (postgresDialect) gooseOptions() []goose.ProviderOption {
	// Instances starting together wait for the first one's migrations, probing every second (5 min at most).
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return nil
	}
	return []goose.ProviderOption{goose.WithSessionLocker(locker)}
}
func (postgresDialect) forUpdate(tx *gorm.DB) *gorm.DB {
	return tx.Clauses(clause.Locking{Strength: "UPDATE"})
}
func (postgresDialect) isRetryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}
func (postgresDialect) resetIDs(tx *gorm.DB, table string) error {
	return tx.Exec("SELECT setval(pg_get_serial_sequence(?, 'id'), COALESCE(MAX(id), 0) + 1, false) FROM "+table, table).Error
}
func (postgresDialect) lower(expr string) string { return "LOWER(" + expr + ")" }
func (postgresDialect) bulkCache(context.Context, *sql.Tx) (func(), error) {
	return func() {}, nil
}

// reserveIDs takes n values of the table's sequence: never handed out again,
// though not necessarily consecutive when others take some meanwhile.
func (postgresDialect) reserveIDs(ctx context.Context, tx *sql.Tx, table string, n int) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, "SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)", table, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := make([]int64, 0, n)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) != n {
		return nil, fmt.Errorf("reserve %d ids of %s: got %d", n, table, len(ids))
	}
	slices.Sort(ids)
	return ids, nil
}
func (postgresDialect) lockFor(q, lock string) string {
	if lock != "" {
		q += " FOR UPDATE OF " + lock
	}
	return rebind(q)
}
func (postgresDialect) snapshot() *sql.TxOptions {
	return &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
}
