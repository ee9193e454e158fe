// Command fundtracker tracks money pledged and paid into pooled funds.
//
//	fundtracker serve            serve the API and the dashboard
//	fundtracker seed             load the IOM Resilience Fund demo (idempotent)
//	fundtracker migrate [status] apply migrations, or list them
//	fundtracker copy --from <dsn> --to <dsn>  move a whole ledger into an empty database
//
// Configuration comes from the environment (see README); flags mirror it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/fundtracker/fundtracker/api"
	"github.com/fundtracker/fundtracker/seed"
	"github.com/fundtracker/fundtracker/store"
)

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel()})))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "serve":
		err = serve(ctx, args)
	case "seed":
		err = runSeed(ctx, args)
	case "migrate":
		err = migrate(ctx, args)
	case "copy":
		err = runCopy(ctx, args)
	case "help", "-h", "--help":
		usage()
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
  serve            serve the API and the dashboard (FUNDTRACKER_ADDR, FUNDTRACKER_DB, ...)
  seed             load the IOM Resilience Fund demo into FUNDTRACKER_DB (idempotent)
  migrate          apply pending migrations to FUNDTRACKER_DB
  migrate status   list migrations and whether they are applied
  copy --from <dsn> --to <dsn>
                   move a whole ledger (e.g. fundtracker.db to postgres://...) into an
                   empty database, then check row counts and every fund's totals`)
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envInt(name string) int {
	n, _ := strconv.Atoi(os.Getenv(name))
	return n
}

func logLevel() slog.Level {
	var l slog.Level
	l.UnmarshalText([]byte(env("FUNDTRACKER_LOG_LEVEL", "info")))
	return l
}

// openStore opens the database named by -db or FUNDTRACKER_DB, migrating it.
func openStore(ctx context.Context, fs *flag.FlagSet, args []string, migrate bool) (*store.Store, error) {
	dsn := fs.String("db", env("FUNDTRACKER_DB", "fundtracker.db"), "SQLite file or postgres:// URL")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	life, _ := time.ParseDuration(env("FUNDTRACKER_DB_CONN_MAX_LIFETIME", "0"))
	return store.Open(ctx, store.Config{DSN: *dsn, Migrate: migrate, Logger: slog.Default(),
		MaxOpenConns: envInt("FUNDTRACKER_DB_MAX_OPEN_CONNS"), MaxIdleConns: envInt("FUNDTRACKER_DB_MAX_IDLE_CONNS"),
		ConnMaxLifetime: life, Synchronous: os.Getenv("FUNDTRACKER_SQLITE_SYNCHRONOUS")})
}

func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	addr := fs.String("addr", env("FUNDTRACKER_ADDR", ":8080"), "listen address")
	s, err := openStore(ctx, fs, args, true)
	if err != nil {
		return err
	}
	defer s.Close()
	created, generated, err := s.EnsureAdmin(ctx, os.Getenv("FUNDTRACKER_ADMIN_EMAIL"), os.Getenv("FUNDTRACKER_ADMIN_PASSWORD"))
	if err != nil {
		return fmt.Errorf("create admin: %w", err)
	}
	if created && generated != "" {
		slog.Warn("created the first admin with a generated password: note it now, it is not shown again",
			"email", env("FUNDTRACKER_ADMIN_EMAIL", "admin@localhost"), "password", generated)
	}
	var proxies []string
	if p := os.Getenv("FUNDTRACKER_TRUSTED_PROXIES"); p != "" {
		proxies = strings.Split(p, ",")
	}
	handler := api.New(api.Config{SecureCookies: os.Getenv("FUNDTRACKER_SECURE_COOKIES") == "true",
		TrustedProxies: proxies, DBStats: s.DBStats, RateStaleDays: os.Getenv("FUNDTRACKER_RATE_STALE_DAYS")}, s)
	srv := api.NewServer(*addr, handler)
	go purgeIdempotencyKeys(ctx, s)
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	slog.Info("fundtracker serving", "addr", *addr, "engine", s.Engine())
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
	return nil
}

// purgeIdempotencyKeys drops keys older than a week, hourly.
func purgeIdempotencyKeys(ctx context.Context, s *store.Store) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.PurgeIdempotencyKeys(ctx, 7*24); err != nil {
				slog.Warn("purge idempotency keys", "error", err)
			} else if n > 0 {
				slog.Info("purged idempotency keys", "count", n)
			}
		}
	}
}

func runSeed(ctx context.Context, args []string) error {
	s, err := openStore(ctx, flag.NewFlagSet("seed", flag.ExitOnError), args, true)
	if err != nil {
		return err
	}
	defer s.Close()
	return seed.Demo(ctx, s)
}

func migrate(ctx context.Context, args []string) error {
	status := len(args) > 0 && args[0] == "status"
	if status {
		args = args[1:]
	}
	s, err := openStore(ctx, flag.NewFlagSet("migrate", flag.ExitOnError), args, !status)
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
