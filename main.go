// Command fundtracker tracks money pledged and paid into pooled funds.
//
//	fundtracker serve            serve the API and the dashboard
//	fundtracker seed             load the IOM Resilience Fund demo (idempotent)
//	fundtracker migrate [status] apply migrations, or list them
//	fundtracker copy --from <dsn> --to <dsn>  move a whole ledger into an empty database
//	fundtracker backup --to FILE  write a consistent copy of FUNDTRACKER_DB while it serves
//	fundtracker restore --from FILE  load a backup into an empty FUNDTRACKER_DB
//
// Configuration comes from the environment (config.go, README); flags mirror it.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/fundtracker/fundtracker/api"
	"github.com/fundtracker/fundtracker/seed"
	"github.com/fundtracker/fundtracker/store"
	"github.com/mattn/go-isatty"
)

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	if a := os.Args[1]; a == "help" || a == "-h" || a == "--help" {
		usage()
		return
	}
	cfg, err := loadConfig(os.Environ())
	if err != nil {
		fmt.Fprintln(os.Stderr, "fundtracker:", err)
		os.Exit(2)
	}
	slog.SetDefault(newLogger(os.Stderr, cfg))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "serve":
		err = serve(ctx, cfg, args)
	case "seed":
		err = runSeed(ctx, cfg, args)
	case "migrate":
		err = migrate(ctx, cfg, args)
	case "copy":
		err = runCopy(ctx, args)
	case "backup":
		err = runBackup(ctx, cfg, args)
	case "restore":
		err = runRestore(ctx, cfg, args)
	default:
		usage()
		err = fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		slog.Error("fundtracker failed", "error", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, `usage: fundtracker <command> [flags]
  serve [-banner]  serve the API and the dashboard (FUNDTRACKER_ADDR, FUNDTRACKER_DB, ...);
                   -banner prints the demo's addresses and sign-in once it answers (make run)
  seed             load the IOM Resilience Fund demo into FUNDTRACKER_DB (idempotent)
  migrate          apply pending migrations to FUNDTRACKER_DB
  migrate status   list migrations and whether they are applied
  copy --from <dsn> --to <dsn>
                   move a whole ledger (e.g. fundtracker.db to postgres://...) into an
                   empty database, then check row counts and every fund's totals
  backup --to FILE write a consistent copy of FUNDTRACKER_DB (an SQLite file), safe
                   while the server runs; FILE must not exist
  restore --from FILE
                   load a backup into FUNDTRACKER_DB, which must be empty`)
}

// newLogger logs JSON, or human-readable text on a terminal
// (FUNDTRACKER_LOG_FORMAT=text|json overrides).
func newLogger(w *os.File, cfg config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "text" || (cfg.LogFormat == "" && isatty.IsTerminal(w.Fd())) {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// openStore opens the database named by -db or FUNDTRACKER_DB, migrating it.
func openStore(ctx context.Context, cfg config, fs *flag.FlagSet, args []string, migrate bool) (*store.Store, error) {
	dsn, err := parseDB(cfg, fs, args)
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, storeConfig(cfg, dsn, migrate))
}

// parseDB parses a command's flags and returns the database named by -db or
// FUNDTRACKER_DB, without opening it.
func parseDB(cfg config, fs *flag.FlagSet, args []string) (string, error) {
	dsn := fs.String("db", cfg.DB, "SQLite file or postgres:// URL")
	return *dsn, fs.Parse(args)
}

func storeConfig(cfg config, dsn string, migrate bool) store.Config {
	return store.Config{DSN: dsn, Migrate: migrate, Logger: slog.Default(),
		MaxOpenConns: cfg.DBMaxOpenConns, MaxIdleConns: cfg.DBMaxIdleConns,
		ConnMaxLifetime: cfg.DBConnMaxLifetime, Synchronous: cfg.SQLiteSynchronous}
}

func serve(ctx context.Context, cfg config, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	addr := fs.String("addr", cfg.Addr, "listen address")
	banner := fs.Bool("banner", false, "once serving, print the demo's addresses and its local-only sign-in (make run)")
	s, err := openStore(ctx, cfg, fs, args, true)
	if err != nil {
		return err
	}
	defer s.Close()
	created, generated, err := s.EnsureAdmin(ctx, cfg.AdminEmail, cfg.AdminPassword)
	if err != nil {
		return fmt.Errorf("create admin: %w", err)
	}
	if created && generated != "" {
		slog.Warn("created the first admin with a generated password: note it now, it is not shown again",
			"email", cmp.Or(cfg.AdminEmail, "admin@localhost"), "password", generated)
	}
	handler := api.New(api.Config{SecureCookies: cfg.SecureCookies, TrustedProxies: cfg.proxies(), DBs: s.DBs(),
		MetricsToken: cfg.MetricsToken, ExportConcurrency: cfg.ExportConcurrency, ExportWriteTimeout: cfg.ExportWriteTimeout,
		DocumentMaxBytes: cfg.DocumentMaxBytes, RateStaleDays: cfg.RateStaleDays, EmbedOrigins: cfg.EmbedOrigins,
		ImportMaxBytes: cfg.ImportMaxBytes}, s)
	srv := api.NewServer(*addr, handler)
	ln, err := net.Listen("tcp", *addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%w: another program listens there; choose another address with -addr or FUNDTRACKER_ADDR (make run ADDR=127.0.0.1:9090)", err)
	}
	if err != nil {
		return err
	}
	go purgeIdempotencyKeys(ctx, s)
	if m, _ := cfg.mailer(); m != nil { // checked by loadConfig
		s.SetMailer(m)
	}
	if cfg.Reminders != "off" {
		go runReminders(ctx, s)
	}
	go purgeLoginThrottles(ctx, s)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	slog.Info("fundtracker serving", "addr", ln.Addr().String(), "engine", s.Engine(), "first_admin_created", created)
	if *banner {
		go printBanner(ctx, os.Stdout, ln.Addr().String(), cfg, bannerSignIn(ctx, s, cfg, created))
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	slog.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	if _, err := s.PurgeLoginThrottles(context.Background(), true); err != nil { // write what refused logins were counted
		slog.Warn("purge login throttles", "error", err)
	}
	return nil
}

// every runs fn every d until ctx ends.
func every(ctx context.Context, d time.Duration, fn func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn()
		}
	}
}

// purgeLoginThrottles writes the coalesced audit event of each login lock
// that ended, and drops throttle rows whose window is over, every minute.
func purgeLoginThrottles(ctx context.Context, s *store.Store) {
	every(ctx, time.Minute, func() {
		if _, err := s.PurgeLoginThrottles(ctx, false); err != nil {
			slog.Warn("purge login throttles", "error", err)
		}
	})
}

// runReminders creates and sends payment reminders every minute (issue 11,
// docs/reminders.md); several instances may run it at once.
func runReminders(ctx context.Context, s *store.Store) {
	every(ctx, time.Minute, func() {
		run, err := s.RunReminders(ctx)
		if err != nil {
			slog.Warn("reminders", "error", err)
		} else if run.Queued+run.Sent+run.Failed+run.Skipped+run.Retrying > 0 {
			slog.Info("reminders", "queued", run.Queued, "sent", run.Sent, "failed", run.Failed, "skipped", run.Skipped,
				"retrying", run.Retrying, "pending", run.Pending)
		}
	})
}

// purgeIdempotencyKeys drops keys older than a week, hourly.
func purgeIdempotencyKeys(ctx context.Context, s *store.Store) {
	every(ctx, time.Hour, func() {
		if n, err := s.PurgeIdempotencyKeys(ctx, 7*24); err != nil {
			slog.Warn("purge idempotency keys", "error", err)
		} else if n > 0 {
			slog.Info("purged idempotency keys", "count", n)
		}
	})
}

func runSeed(ctx context.Context, cfg config, args []string) error {
	s, err := openStore(ctx, cfg, flag.NewFlagSet("seed", flag.ExitOnError), args, true)
	if err != nil {
		return err
	}
	defer s.Close()
	return seed.Demo(ctx, s)
}

func migrate(ctx context.Context, cfg config, args []string) error {
	status := len(args) > 0 && args[0] == "status"
	if status {
		args = args[1:]
	}
	s, err := openStore(ctx, cfg, flag.NewFlagSet("migrate", flag.ExitOnError), args, !status)
	if err != nil {
		return err
	}
	defer s.Close()
	if !status {
		return nil
	}
	list, err := s.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	for _, m := range list {
		state := "pending"
		if m.Applied {
			state = "applied " + m.AppliedAt.UTC().Format(time.RFC3339)
		}
		fmt.Printf("%05d  %-30s %s\n", m.Version, m.File, state)
	}
	return nil
}

// runCopy moves a ledger into an empty database (the target is migrated
// first) and prints what it copied once both sides are found equal.
func runCopy(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("copy", flag.ExitOnError)
	from := fs.String("from", "", "source: SQLite file or postgres:// URL")
	to := fs.String("to", "", "target: an empty database, SQLite file or postgres:// URL")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || *to == "" || *from == *to {
		return errors.New("copy needs --from and --to, two different databases")
	}
	src, err := store.Open(ctx, store.Config{DSN: *from, Logger: slog.Default()})
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := store.Open(ctx, store.Config{DSN: *to, Migrate: true, Logger: slog.Default()})
	if err != nil {
		return err
	}
	defer dst.Close()
	rep, err := store.Copy(ctx, src, dst, slog.Default())
	if err != nil {
		return err
	}
	var total int64
	for _, t := range rep.Tables {
		fmt.Printf("%-24s %10d rows\n", t.Table, t.Rows)
		total += t.Rows
	}
	fmt.Printf("copied %d rows from %s to %s; row counts and the figures of %d funds are equal on both sides\n",
		total, src.Engine(), dst.Engine(), rep.Funds)
	return nil
}

// runBackup writes a consistent copy of FUNDTRACKER_DB (or -db) into a new
// SQLite file, safe while `serve` runs on the same database.
func runBackup(ctx context.Context, cfg config, args []string) error {
	fs := flag.NewFlagSet("backup", flag.ExitOnError)
	to := fs.String("to", "", "the backup file to write (must not exist)")
	dsn, err := parseDB(cfg, fs, args)
	if err != nil {
		return err
	}
	if *to == "" {
		return errors.New("backup needs --to FILE")
	}
	// Opening a missing SQLite file would create an empty database (run
	// from the wrong folder, a cron line would back up nothing, nightly).
	if _, err := os.Stat(dsn); err != nil && !store.IsPostgres(dsn) {
		return fmt.Errorf("backup: there is no database at %s: set FUNDTRACKER_DB (or -db) to the one serve uses", dsn)
	}
	s, err := store.Open(ctx, storeConfig(cfg, dsn, false))
	if err != nil {
		return err
	}
	defer s.Close()
	start := time.Now()
	rep, err := store.Backup(ctx, s, *to, slog.Default())
	if err != nil {
		return err
	}
	var total int64
	for _, t := range rep.Tables {
		fmt.Printf("%-24s %10d rows\n", t.Table, t.Rows)
		total += t.Rows
	}
	fmt.Printf("backed up %d rows of %s to %s in %s\n", total, rep.Engine, *to, time.Since(start).Round(time.Millisecond))
	return nil
}

// runRestore loads a backup into FUNDTRACKER_DB (or -db), which must be empty.
func runRestore(ctx context.Context, cfg config, args []string) error {
	fs := flag.NewFlagSet("restore", flag.ExitOnError)
	from := fs.String("from", "", "the backup file to load")
	dsn, err := parseDB(cfg, fs, args)
	if err != nil {
		return err
	}
	if *from == "" {
		return errors.New("restore needs --from FILE")
	}
	if _, err := os.Stat(*from); err != nil { // before the target is created or migrated
		return fmt.Errorf("restore: %w", err)
	}
	s, err := store.Open(ctx, storeConfig(cfg, dsn, true))
	if err != nil {
		return err
	}
	defer s.Close()
	rep, err := store.Restore(ctx, *from, s, slog.Default())
	if errors.Is(err, store.ErrTargetNotEmpty) {
		detail := "" // Copy's "(table X has rows)", without its advice about copy
		if i := strings.LastIndex(err.Error(), " (table "); i >= 0 {
			detail = err.Error()[i:]
		}
		return fmt.Errorf("restore (nothing written): %s is not empty%s: restore only into a new database, and do not start serve on it first", dsn, detail)
	}
	if err != nil {
		return err
	}
	var total int64
	for _, t := range rep.Tables {
		total += t.Rows
	}
	fmt.Printf("restored %d rows from %s into %s; row counts and the figures of %d funds are equal on both sides\n",
		total, *from, s.Engine(), rep.Funds)
	return nil
}
