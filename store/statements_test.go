package store_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"
	"sync"
	"testing"

	"github.com/fundtracker/fundtracker/models"
	"github.com/fundtracker/fundtracker/store"
	"github.com/fundtracker/fundtracker/store/storetest"
)

// recorder keeps the statements the writer runs (BEGIN and COMMIT are not
// statements: database/sql runs them as Begin and Commit).
type recorder struct {
	mu    sync.Mutex
	on    bool
	stmts []string
}

func (r *recorder) add(q string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.on {
		r.stmts = append(r.stmts, strings.Join(strings.Fields(q), " "))
	}
}

func (r *recorder) start() { r.mu.Lock(); r.on, r.stmts = true, nil; r.mu.Unlock() }

// stop returns what ran since start, leaving out the SAVEPOINT and RELEASE
// with which SQLite's group commit gives each request the part of BEGIN and COMMIT.
func (r *recorder) stop() (all, counted []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on = false
	for _, q := range r.stmts {
		if !strings.HasPrefix(q, "SAVEPOINT ") && !strings.HasPrefix(q, "RELEASE ") {
			counted = append(counted, q)
		}
	}
	return r.stmts, counted
}

// countingDriver wraps the engine's database/sql driver and records every
// statement run on the writer's connections.
type countingDriver struct {
	driver.Driver
	rec *recorder
}

func (d countingDriver) Open(name string) (driver.Conn, error) {
	c, err := d.Driver.Open(name)
	if err != nil || strings.Contains(name, "_query_only=true") { // SQLite's readers are not the writer
		return c, err
	}
	return &countingConn{Conn: c, rec: d.rec}, nil
}

type countingConn struct {
	driver.Conn
	rec *recorder
}

func (c *countingConn) Prepare(q string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), q)
}
func (c *countingConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	st, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	return &countingStmt{Stmt: st, q: q, rec: c.rec}, nil
}
func (c *countingConn) BeginTx(ctx context.Context, o driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, o)
}
func (c *countingConn) CheckNamedValue(v *driver.NamedValue) error {
	if ch, ok := c.Conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(v)
	}
	return driver.ErrSkip
}
func (c *countingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

type countingStmt struct {
	driver.Stmt
	q   string
	rec *recorder
}

func (s *countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.rec.add(s.q)
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}
func (s *countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.rec.add(s.q)
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}
func (s *countingStmt) CheckNamedValue(v *driver.NamedValue) error {
	if ch, ok := s.Stmt.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(v)
	}
	return driver.ErrSkip
}

var registerCounting sync.Map

// openCounting opens a fresh store whose writer's statements rec records.
func openCounting(t *testing.T, rec *recorder) *store.Store {
	dsn := storetest.DSN(t)
	base := store.DriverName(dsn)
	name := "counting_" + base
	if _, loaded := registerCounting.LoadOrStore(name, true); !loaded {
		db, err := sql.Open(base, "")
		if err != nil {
			t.Fatal(err)
		}
		sql.Register(name, countingDriver{Driver: db.Driver(), rec: countingRecorder})
		db.Close()
	}
	s, err := store.Open(context.Background(), store.Config{DSN: dsn, Migrate: true, DriverName: name})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// countingRecorder is shared by the registered driver (a driver is registered once per process).
var countingRecorder = &recorder{}

// TestPaymentStatements: a payment against a pledge with an Idempotency-Key
// runs at most 12 statements besides BEGIN and COMMIT (13 on PostgreSQL),
// and its replay one.
func TestPaymentStatements(t *testing.T) {
	rec := countingRecorder
	s := openCounting(t, rec)
	ctx := context.Background()
	f, _, err := s.CreateFund(ctx, actor, models.FundInput{Code: strp("counted"), Name: strp("Fund"), TargetUSD: dec("1000000")}, store.Idempotency{})
	if err != nil {
		t.Fatal(err)
	}
	d, _, err := s.CreateDonor(ctx, actor, models.DonorInput{Name: strp("Donor"), Kind: strp("government")}, store.Idempotency{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateRate(ctx, actor, models.ExchangeRateInput{Currency: "EUR", EffectiveOn: day("2024-01-01"), UnitsPerUSD: dec("0.92")}, store.Idempotency{}); err != nil {
		t.Fatal(err)
	}
	p, _, err := s.CreatePledge(ctx, actor, models.PledgeInput{FundID: f.ID, DonorID: d.ID, Amount: dec("1000.00"), Currency: "EUR",
		PledgedOn: day("2024-06-01")}, store.Idempotency{})
	if err != nil {
		t.Fatal(err)
	}
	// An earlier payment, so that the pledge's load reads payments too.
	pay := models.ContributionInput{PledgeID: &p.ID, Amount: dec("100.00"), ReceivedOn: day("2024-07-01")}
	if _, _, err := s.CreateContribution(ctx, actor, pay, store.Idempotency{}); err != nil {
		t.Fatal(err)
	}
	pay.ReceivedOn = day("2024-08-01")
	idem := store.Idempotency{Key: "pay-1", Fingerprint: "f1"}
	rec.start()
	c, rep, err := s.CreateContribution(ctx, actor, pay, idem)
	all, counted := rec.stop()
	if err != nil || rep != nil {
		t.Fatalf("payment: %v %v", err, rep)
	}
	if c.AmountUSD.String() != "108.70" {
		t.Fatalf("amount_usd %s", c.AmountUSD)
	}
	t.Logf("%d statements:\n%s", len(counted), strings.Join(all, "\n"))
	// PostgreSQL takes the pledge's row lock in a statement of its own, so
	// that the load after it reads what the lock waited for (ledger.go).
	want := 12
	if storetest.Postgres() {
		want = 13
	}
	if len(counted) > want || len(counted) == 0 {
		t.Fatalf("a payment against a pledge with an Idempotency-Key ran %d statements, want at most %d:\n%s", len(counted), want, strings.Join(counted, "\n"))
	}
	rec.start()
	_, rep, err = s.CreateContribution(ctx, actor, pay, idem)
	_, counted = rec.stop()
	if err != nil || rep == nil || len(counted) != 1 {
		t.Fatalf("replay: err %v, replayed %v, %d statements: %v", err, rep != nil, len(counted), counted)
	}
}
