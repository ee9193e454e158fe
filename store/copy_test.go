package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"github.com/fundtracker/fundtracker/seed"
	"github.com/fundtracker/fundtracker/store"
	"github.com/fundtracker/fundtracker/store/storetest"
)

// openOtherEngine opens a fresh, migrated store on the engine the suite does
// not run on: PostgreSQL under `make test` (skipped without
// FUNDTRACKER_TEST_DATABASE_URL), SQLite under `make test-postgres`. So the
// copy is tested SQLite -> PostgreSQL in one suite and back in the other.
func openOtherEngine(t *testing.T, now ...func() time.Time) *store.Store {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "copy.db")
	if !storetest.Postgres() {
		dsn = storetest.FreshSchema(t, storetest.DatabaseURL(t))
	}
	cfg := store.Config{DSN: dsn, Migrate: true}
	if len(now) > 0 {
		cfg.Now = now[0]
	}
	s, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestCopyMovesTheWholeLedger: the seeded demo, and a random ledger (voids,
// cancellations, five currencies), each with users, sessions, API tokens,
// login throttles, idempotency keys and audit, copied to the other engine,
// read the same there: every table's rows, every fund's figures (now and as
// of past days), every contribution and pledge (the CSV exports' rows), the
// audit; users log in with their passwords and tokens; new ids continue.
func TestCopyMovesTheWholeLedger(t *testing.T) {
	var clock func() time.Time // the source's: the target reads on the same day
	cases := []struct {
		name   string
		source func(t *testing.T) (*store.Store, []models.Date)
	}{
		{"seeded demo", func(t *testing.T) (*store.Store, []models.Date) {
			s := storetest.Open(t)
			if err := seed.Demo(context.Background(), s); err != nil {
				t.Fatal(err)
			}
			return s, []models.Date{"2025-07-28", "2025-07-29", "2025-09-30", "2025-12-31", "2026-05-07"}
		}},
		{"random ledger", func(t *testing.T) (*store.Store, []models.Date) {
			l := newLedger(t, 7)
			clock = func() time.Time { return l.clock } // statuses depend on the day (issue 11: instalments fall due)
			var days []models.Date
			for i := 0; i < 300; i++ {
				l.step()
				if i%5 == 4 {
					days = append(days, models.DateOf(l.clock))
					l.clock = l.clock.AddDate(0, 0, 1)
				}
			}
			return l.s, days
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock = time.Now
			target := openOtherEngine(t, func() time.Time { return clock() }) // first: it may skip
			src, days := c.source(t)
			defer store.SetCopyBatch(7)() // many full batches and a short last one in every table
			checkCopy(t, src, target, days)
		})
	}
}

func checkCopy(t *testing.T, src, target *store.Store, days []models.Date) {
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	email, password := "copy-staff@example.org", "a long enough password"
	role := models.RoleStaff
	staff, err := src.CreateUser(ctx, actor, models.UserInput{Email: &email, Password: &password, Role: &role})
	must(err)
	_, _, err = src.Login(ctx, models.LoginInput{Email: email, Password: password}, "192.0.2.1")
	must(err)
	if _, _, err := src.Login(ctx, models.LoginInput{Email: email, Password: "wrong password, twelve+"}, "192.0.2.2"); models.ErrorCode(err) != models.EUNAUTHORIZED {
		t.Fatalf("wrong password: %v", err)
	}
	apiToken, err := src.CreateAPIToken(ctx, models.Actor{UserID: staff.ID, Email: staff.Email}, models.TokenInput{Name: "copy test", Scope: models.ScopeRead,
		ExpiresOn: models.DateInput{Raw: "2033-12-31", Set: true}}) // within ten years of the random ledger's clock (2024)
	must(err)
	// Issue 16: a fund manager and a binary document of several chunks.
	allFunds, err := src.Funds(ctx, models.PageRequest{Limit: 1})
	must(err)
	managerEmail, managerRole, fundIDs := "copy-manager@example.org", models.RoleFundManager, []int64{allFunds.Items[0].ID}
	_, err = src.CreateUser(ctx, actor, models.UserInput{Email: &managerEmail, Password: &password, Role: &managerRole, FundIDs: &fundIDs})
	must(err)
	pledges, err := src.Pledges(ctx, store.PledgeFilter{}, models.PageRequest{Limit: 1})
	must(err)
	content := bytes.Repeat([]byte("%PDF\x00\xff\xfe binary "), 40000) // > 2 chunks, not UTF-8
	sum := sha256.Sum256(content)
	doc, _, err := src.AddDocument(ctx, actor, models.RecordPledge, pledges.Items[0].ID, models.DocumentInput{Filename: "a.pdf", Kind: "agreement"},
		store.DocumentFile{ContentType: "application/pdf", Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:]), Content: bytes.NewReader(content)},
		store.Idempotency{})
	must(err)
	defer func() {
		var got []byte
		d, err := target.Document(ctx, doc.ID)
		must(err)
		must(target.DocumentContent(ctx, d, func(b []byte) error { got = append(got, b...); return nil }))
		if !bytes.Equal(got, content) || d.SHA256 != doc.SHA256 {
			t.Errorf("document on the target: %d bytes (want %d), sha256 %s", len(got), len(content), d.SHA256)
		}
	}()
	idem := store.Idempotency{Key: "copy-test", Fingerprint: "copy-test"}
	keyed, _, err := src.CreateDonor(ctx, actor, models.DonorInput{Name: strp("Keyed donor"), Kind: strp("other")}, idem)
	must(err)
	// Issue 15: a donor link (its hash is copied; the secret opens it on the target too).
	_, linkSecret, err := src.CreateDonorLink(ctx, actor, keyed.ID, models.DonorLinkInput{ExpiresOn: models.DateInput{Raw: "2099-12-31", Set: true}})
	if models.ErrorCode(err) == models.EINVALID { // the source's clock may be years back: a link expiring within its limit
		_, linkSecret, err = src.CreateDonorLink(ctx, actor, keyed.ID, models.DonorLinkInput{ExpiresOn: models.DateInput{Raw: string(models.Today()), Set: true}})
	}
	must(err)
	_ = linkSecret
	// Issue 12: an import, with its rows' fingerprints.
	imp, committed, _, err := src.Import(ctx, actor, models.ImportRequest{Kind: models.ImportDonors, Mode: models.ImportCommit,
		Filename: "donors.csv", Size: 42, SHA256: strings.Repeat("ab", 32), Table: models.ImportTable{Headers: []string{"name", "kind"},
			Fields: []string{"name", "kind"}, Rows: []models.ImportRow{{Line: 2, Cells: []string{"Imported donor", "ngo"}}}}})
	must(err)
	if committed == nil || committed.Created != 1 {
		t.Fatalf("import: %+v %+v", imp, committed)
	}

	// Issue 11: reminders (a wide policy on every fund, one run without SMTP).
	every, err := src.Funds(ctx, models.PageRequest{Limit: 100})
	must(err)
	for _, f := range every.Items {
		_, err := src.UpdateFund(ctx, actor, strconv.FormatInt(f.ID, 10), models.FundInput{ReminderPolicy: models.ReminderPolicyInput{Set: true,
			Raw: []byte(`{"before_due_days": 365, "overdue_every_days": 1, "max_overdue": 24}`)}})
		must(err)
	}
	_, _, err = src.CreatePledge(ctx, actor, models.PledgeInput{FundID: allFunds.Items[0].ID, DonorID: keyed.ID, Amount: dec("10.00"), Currency: "USD",
		PledgedOn: day(pledges.Items[0].PledgedOn), DueOn: day(pledges.Items[0].PledgedOn)}, store.Idempotency{}) // due: a reminder now
	must(err)
	_, err = src.RunReminders(ctx)
	must(err)

	rep, err := store.Copy(ctx, src, target, nil)
	if err != nil {
		t.Fatalf("copy %s -> %s: %v", src.Engine(), target.Engine(), err)
	}
	var total int64
	for _, tc := range rep.Tables {
		if tc.Rows == 0 {
			t.Errorf("table %s: nothing copied, so nothing checked", tc.Table)
		}
		total += tc.Rows
	}
	funds, err := src.Funds(ctx, models.PageRequest{Limit: 100})
	must(err)
	if rep.Funds != len(funds.Items) {
		t.Errorf("report: %d funds checked, want %d", rep.Funds, len(funds.Items))
	}
	for _, f := range funds.Items {
		id := fmt.Sprint(f.ID)
		equalJSON(t, "figures of fund "+id, func(s *store.Store) (any, error) {
			b, err := s.FundFigures(ctx, id)
			return json.RawMessage(b), err
		}, src, target)
		for _, d := range days {
			equalJSON(t, fmt.Sprintf("progress of fund %s as of %s", id, d), func(s *store.Store) (any, error) {
				return s.Progress(ctx, id, d)
			}, src, target)
		}
	}
	equalJSON(t, "contributions", func(s *store.Store) (any, error) {
		var all []models.Contribution
		err := s.EachContribution(ctx, store.ContributionFilter{}, func(c models.Contribution) error { all = append(all, c); return nil })
		return all, err
	}, src, target)
	equalJSON(t, "pledges", func(s *store.Store) (any, error) {
		var all []models.Pledge
		err := s.EachPledge(ctx, store.PledgeFilter{}, func(p models.Pledge) error { all = append(all, p); return nil })
		return all, err
	}, src, target)
	equalJSON(t, "audit", func(s *store.Store) (any, error) {
		return s.Audit(ctx, store.AuditFilter{}, models.PageRequest{Limit: 100000})
	}, src, target)

	// (The session is copied too, but the random ledger's clock has it long expired on the target.)
	if got, _, err := target.Authenticate(ctx, apiToken.Secret); err != nil || got.Email != email {
		t.Errorf("an API token issued before the copy, on the target: %v %v", got, err)
	}
	if _, _, err := target.Login(ctx, models.LoginInput{Email: email, Password: password}, "192.0.2.3"); err != nil {
		t.Errorf("login with the copied password hash: %v", err)
	}
	// The target's ids go on from the copied ones (PostgreSQL's identity sequences were moved).
	last, err := src.Donors(ctx, store.DonorFilter{}, models.PageRequest{Limit: 1})
	must(err)
	// The idempotency key came along: the same request replays, writes nothing.
	if _, rep, err := target.CreateDonor(ctx, actor, models.DonorInput{Name: strp("Keyed donor"), Kind: strp("other")}, idem); err != nil || rep == nil {
		t.Errorf("a request repeated with a copied idempotency key: replay %v, %v", rep, err)
	}
	d, _, err := target.CreateDonor(ctx, actor, models.DonorInput{Name: strp("After the copy"), Kind: strp("other")}, store.Idempotency{})
	must(err)
	if want := last.Items[0].ID + 1; d.ID != want {
		t.Errorf("a donor created on the target after the copy has id %d, want %d", d.ID, want)
	}
	t.Logf("%s -> %s: %d rows in %d tables, %d funds checked, progress as of %d days",
		src.Engine(), target.Engine(), total, len(rep.Tables), rep.Funds, len(days))
}

// equalJSON reads the same thing from two stores and fails the test when the
// two read differently.
func equalJSON(t *testing.T, what string, read func(*store.Store) (any, error), a, b *store.Store) {
	t.Helper()
	var out [2][]byte
	for i, s := range []*store.Store{a, b} {
		v, err := read(s)
		if err != nil {
			t.Fatalf("%s on %s: %v", what, s.Engine(), err)
		}
		if out[i], err = json.Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	if string(out[0]) != string(out[1]) {
		t.Errorf("%s differs:\n%s: %s\n%s: %s", what, a.Engine(), out[0], b.Engine(), out[1])
	}
}

// TestCopyRefusesANonEmptyTarget: a target with any row is refused, and left as it was.
func TestCopyRefusesANonEmptyTarget(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		fill func(*store.Store) error
	}{
		{"an admin, as serve creates", func(s *store.Store) error {
			_, _, err := s.EnsureAdmin(ctx, "admin@example.org", "")
			return err
		}},
		{"a donor", func(s *store.Store) error {
			_, _, err := s.CreateDonor(ctx, actor, models.DonorInput{Name: strp("Already there"), Kind: strp("other")}, store.Idempotency{})
			return err
		}},
		{"a failed login only", func(s *store.Store) error {
			_, _, err := s.Login(ctx, models.LoginInput{Email: "nobody@example.org", Password: "not a password"}, "192.0.2.9")
			if models.ErrorCode(err) == models.EUNAUTHORIZED {
				return nil
			}
			return err
		}},
	}
	src := storetest.Open(t)
	if err := seed.Demo(ctx, src); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			target := openOtherEngine(t)
			if err := c.fill(target); err != nil {
				t.Fatal(err)
			}
			before, err := target.AggregateSnapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			audit, err := target.Audit(ctx, store.AuditFilter{}, models.PageRequest{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			_, err = store.Copy(ctx, src, target, nil)
			if !errors.Is(err, store.ErrTargetNotEmpty) {
				t.Fatalf("copy into a target with %s: %v, want %v", c.name, err, store.ErrTargetNotEmpty)
			}
			after, err := target.AggregateSnapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			funds, err := target.Funds(ctx, models.PageRequest{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			auditAfter, err := target.Audit(ctx, store.AuditFilter{}, models.PageRequest{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(before, after) || len(funds.Items) != 0 || len(audit.Items) != len(auditAfter.Items) {
				t.Fatalf("a refused copy wrote: aggregates %v -> %v, %d funds, audit %d -> %d", before, after, len(funds.Items), len(audit.Items), len(auditAfter.Items))
			}
		})
	}
}
