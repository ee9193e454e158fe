package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/fundtracker/fundtracker/models"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// When PostgreSQL drops a connection (a restart, a failover, an
// administrator's pg_terminate_backend), a request must not answer 500
// (issue 10):
//   - a connection is pinged before each reuse, so one that died while idle
//     in the pool is replaced before a request sees it;
//   - a write whose transaction lost its connection before COMMIT committed
//     nothing, and is run once more (txWriter);
//   - otherwise (lost again, lost during COMMIT, so maybe committed, or lost
//     in the middle of a read) the request answers 503 unavailable with
//     Retry-After; an Idempotency-Key makes resending a write safe.

// unavailableRetryAfter is the Retry-After, in seconds, of a 503 unavailable.
const unavailableRetryAfter = 1

// openPostgres opens a pool whose connections are pinged before each reuse.
//
// driverName, when set, opens the pool through that database/sql driver
// instead (tests wrap pgx's to count statements).
func openPostgres(dsn, driverName string) (*sql.DB, error) {
	if driverName != "" {
		return sql.Open(driverName, dsn)
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	return stdlib.OpenDB(*cfg, stdlib.OptionShouldPing(func(context.Context, stdlib.ShouldPingParams) bool { return true })), nil
}

// isConnLost reports an error that says the connection to PostgreSQL is gone
// (not that a statement was refused).
func isConnLost(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// 57P01 admin_shutdown (pg_terminate_backend), 57P02 crash_shutdown,
		// 57P03 cannot_connect_now, class 08: connection exceptions.
		return strings.HasPrefix(pe.Code, "57P0") || strings.HasPrefix(pe.Code, "08")
	}
	var ne net.Error
	var ce *pgconn.ConnectError
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, io.EOF) || errors.As(err, &ne) || errors.As(err, &ce) || errors.Is(err, sql.ErrConnDone)
}

// lostConn reports an error of a lost PostgreSQL connection (SQLite has none to lose).
func (s *Store) lostConn(err error) bool {
	return err != nil && s.dialect.name() == "postgres" && isConnLost(err)
}

// unavailable marks an error of a lost connection as the domain's 503
// (the original error stays in the chain, for the logs).
func unavailable(err error) error {
	if models.ErrorCode(err) == models.EUNAVAILABLE {
		return err
	}
	e := &models.Error{Code: models.EUNAVAILABLE, RetryAfter: unavailableRetryAfter,
		Message: "The database connection was lost: nothing was changed, or the change is uncertain. Send the request again (with the same Idempotency-Key)."}
	return fmt.Errorf("%w: %w", e, err)
}

// markUnavailable is a GORM callback, after every statement: a statement
// that failed because the connection was lost answers unavailable.
func markUnavailable(db *gorm.DB) {
	if db.Error != nil && isConnLost(db.Error) {
		db.Error = unavailable(db.Error)
	}
}

// registerUnavailable adds markUnavailable after each kind of statement.
func registerUnavailable(db *gorm.DB) error {
	cb := db.Callback()
	for _, err := range []error{
		cb.Query().Register("fundtracker:unavailable", markUnavailable),
		cb.Row().Register("fundtracker:unavailable", markUnavailable),
		cb.Raw().Register("fundtracker:unavailable", markUnavailable),
		cb.Create().Register("fundtracker:unavailable", markUnavailable),
		cb.Update().Register("fundtracker:unavailable", markUnavailable),
		cb.Delete().Register("fundtracker:unavailable", markUnavailable),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}
