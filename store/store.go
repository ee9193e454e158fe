// Package store keeps fundtracker's ledger in SQLite or PostgreSQL through
// GORM. Every difference between the two engines lives in dialect.go; every
// write goes through one writer (writer.go) that keeps the aggregates exact in
// the same transaction as the change.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"github.com/pressly/goose/v3"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

//go:embed migrations
var migrations embed.FS

// Config says which database to open and how.
type Config struct {
	// DSN is an SQLite file path, or a postgres:// URL.
	DSN string
	// Pool settings (PostgreSQL; for SQLite, the reader pool).
	MaxOpenConns    int
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
	// Synchronous is SQLite's synchronous setting (FULL unless set).
	Synchronous string
	// Migrate applies pending migrations when opening (serve, seed, tests).
	Migrate bool
	Logger  *slog.Logger
	// Now is the clock (UTC); tests set it to date voids and cancellations.
	Now func() time.Time
	// DriverName is the database/sql driver to open the database with: the
	// engine's own (DriverName(dsn)) when empty. Tests wrap it to count statements.
	DriverName string
}

// DriverName is the database/sql driver the store opens a DSN with.
func DriverName(dsn string) string {
	if IsPostgres(dsn) {
		return "pgx"
	}
	return sqliteDriver
}

// Store is the ledger's persistence.
type Store struct {
	dialect dialect
	w       *gorm.DB // the writer: one connection on SQLite
	r       *gorm.DB // readers
	writer  writer
	log     *slog.Logger
	now     func() time.Time

	// stopCheckpoints stops SQLite's background WAL checkpoints.
	stopCheckpoints func()
	// refused counts logins refused during a lock, written when it ends (throttle.go).
	refused *refusals
	// stmts are the ledger's hot-path statements, prepared on the writer's pool.
	stmts prepared
	// mailer sends reminders (issue 11); nil: they stay pending.
	mailer models.MailSender
}

// IsPostgres reports whether a DSN names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens (and, if cfg.Migrate, migrates) the database.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	// The writer runs GORM's statements unprepared and the ledger's hot path
	// on statements of its own (ledger.go); SQLite's readers use GORM's
	// prepared-statement mode (pgx caches PostgreSQL's statements itself).
	gcfg := &gorm.Config{Logger: logger.Discard, SkipDefaultTransaction: true, TranslateError: true,
		NowFunc: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
	rcfg := *gcfg
	rcfg.PrepareStmt = true
	s := &Store{log: cfg.Logger, now: gcfg.NowFunc, refused: newRefusals()}
	if cfg.Now != nil {
		s.now = func() time.Time { return cfg.Now().UTC().Truncate(time.Microsecond) }
	}
	var err error
	if IsPostgres(cfg.DSN) {
		s.dialect = postgresDialect{}
		pool, err := openPostgres(cfg.DSN, cfg.DriverName)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		if s.w, err = gorm.Open(postgres.New(postgres.Config{Conn: pool}), gcfg); err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		if err := registerUnavailable(s.w); err != nil {
			return nil, err
		}
		s.r = s.w
		setPool(s.w, cfg.MaxOpenConns, cfg.MaxIdleConns, cfg.ConnMaxLifetime, 20)
		s.writer = &txWriter{db: s.w, d: s.dialect}
	} else {
		s.dialect = sqliteDialect{}
		if cfg.DriverName == "" {
			cfg.DriverName = sqliteDriver
		}
		sync := cfg.Synchronous
		if sync == "" {
			sync = "FULL"
		}
		base := "file:" + cfg.DSN + "?_journal_mode=WAL&_busy_timeout=10000&_foreign_keys=on&_synchronous=" + sync
		if s.w, err = gorm.Open(sqlite.New(sqlite.Config{DriverName: cfg.DriverName, DSN: base + "&_txlock=immediate"}), gcfg); err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", cfg.DSN, err)
		}
		setPool(s.w, 1, 1, 0, 1) // one writer at a time, by design
		// Each request of a group commit runs in a savepoint, whose undo pages
		// SQLite would otherwise spill to a temporary file on every request.
		// WAL checkpoints run outside COMMIT (checkpoint.go). Pragmas that
		// answer a row are read to the end, so that no statement stays active.
		var pages int
		if err = s.w.Exec("PRAGMA temp_store = MEMORY").Error; err == nil {
			err = s.w.Raw("PRAGMA wal_autocheckpoint = 0").Row().Scan(&pages)
		}
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", cfg.DSN, err)
		}
		if s.r, err = gorm.Open(sqlite.New(sqlite.Config{DriverName: cfg.DriverName, DSN: base + "&_query_only=true"}), &rcfg); err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", cfg.DSN, err)
		}
		setPool(s.r, cfg.MaxOpenConns, cfg.MaxIdleConns, cfg.ConnMaxLifetime, 8)
		bw := newBatchWriter(s.w, s.log)
		s.writer = bw
		s.stopCheckpoints = startCheckpoints(s.r, s.log, &bw.walFull)
	}
	if cfg.Migrate {
		if err := s.Migrate(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	if err := s.prepareLedger(ctx); err != nil {
		// An unmigrated database (migrate status, copy's source check) has no
		// tables to prepare against: its writes fail until it is migrated.
		s.log.Debug("ledger statements not prepared", "error", err)
	}
	return s, nil
}

func setPool(db *gorm.DB, maxOpen, maxIdle int, life time.Duration, def int) {
	sqlDB, _ := db.DB()
	if maxOpen <= 0 {
		maxOpen = def
	}
	if maxIdle <= 0 || maxIdle > maxOpen {
		maxIdle = maxOpen
	}
	sqlDB.SetMaxOpenConns(maxOpen)
	sqlDB.SetMaxIdleConns(maxIdle)
	sqlDB.SetConnMaxLifetime(life)
}

// Close stops the writer and closes the database.
func (s *Store) Close() error {
	if s.writer != nil {
		s.writer.close()
	}
	if s.stopCheckpoints != nil {
		s.stopCheckpoints()
	}
	s.stmts.close()
	var errs []error
	for _, db := range []*gorm.DB{s.w, s.r} {
		if db == nil {
			continue
		}
		if sqlDB, err := db.DB(); err == nil {
			errs = append(errs, sqlDB.Close())
		}
		if s.w == s.r {
			break
		}
	}
	return errors.Join(errs...)
}

// today is the current date (UTC) by the store's clock.
func (s *Store) today() models.Date { return models.DateOf(s.now()) }

// At returns the store with its clock stopped at t: what it records is dated
// then. The seed uses it to give the demo's records their own dates.
func (s *Store) At(t time.Time) *Store {
	c := *s
	c.now = func() time.Time { return t.UTC().Truncate(time.Microsecond) }
	return &c
}

// Engine names the database engine ("sqlite" or "postgres").
func (s *Store) Engine() string { return s.dialect.name() }

// DBs returns the connection pools by name ("writer", and "reader" when
// reads have a pool of their own), for /metrics.
func (s *Store) DBs() map[string]*sql.DB {
	out := map[string]*sql.DB{}
	if db, err := s.w.DB(); err == nil {
		out["writer"] = db
	}
	if s.r != s.w {
		if db, err := s.r.DB(); err == nil {
			out["reader"] = db
		}
	}
	return out
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.r.WithContext(ctx).Raw("SELECT 1").Scan(&one).Error
}

func (s *Store) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+s.dialect.name())
	if err != nil {
		return nil, err
	}
	sqlDB, err := s.w.DB()
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(s.dialect.gooseDialect(), sqlDB, sub, s.dialect.gooseOptions()...)
}

// prepareLedger prepares the ledger's statements, once the tables exist.
func (s *Store) prepareLedger(ctx context.Context) error {
	if s.stmts != nil {
		return nil
	}
	sqlDB, err := s.w.DB()
	if err != nil {
		return err
	}
	s.stmts, err = prepare(ctx, sqlDB, s.dialect)
	return err
}

// Migrate applies pending migrations (under a lock on PostgreSQL, so that
// instances starting together do not race).
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.provider()
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range res {
		s.log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	return s.prepareLedger(ctx)
}

// MigrationStatus describes one migration.
type MigrationStatus struct {
	Version   int64
	File      string
	Applied   bool
	AppliedAt time.Time
}

// MigrationStatus lists every migration and whether it is applied.
func (s *Store) MigrationStatus(ctx context.Context) ([]MigrationStatus, error) {
	p, err := s.provider()
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]MigrationStatus, len(st))
	for i, m := range st {
		out[i] = MigrationStatus{Version: m.Source.Version, File: m.Source.Path, Applied: m.State == goose.StateApplied, AppliedAt: m.AppliedAt}
	}
	return out, nil
}

// Ready reports an error unless the database answers and every migration is applied.
func (s *Store) Ready(ctx context.Context) error {
	if err := s.Ping(ctx); err != nil {
		return err
	}
	p, err := s.provider()
	if err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return err
	}
	if pending {
		return errors.New("migrations pending")
	}
	return nil
}
