package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"github.com/fundtracker/fundtracker/seed"
	"github.com/fundtracker/fundtracker/store"
	"github.com/fundtracker/fundtracker/store/storetest"
)

func TestSeedIsIdempotent(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	audited := make([]int, 2)
	for i := 0; i < 2; i++ {
		if err := seed.Demo(ctx, s); err != nil {
			t.Fatalf("seed run %d: %v", i+1, err)
		}
		events, err := s.Audit(ctx, models.AuditFilter{}, models.PageRequest{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		audited[i] = len(events.Items)
	}
	if audited[0] != audited[1] {
		t.Fatalf("the second seed wrote %d audit events", audited[1]-audited[0])
	}
	p, err := s.Progress(ctx, seed.FundCode, "")
	if err != nil {
		t.Fatal(err)
	}
	if p.ContributionCount != 10 || p.FirstContribution == nil || p.FirstContribution.Donor != "Kingdom of Morocco" ||
		p.FirstContribution.ReceivedOn != "2025-07-29" {
		t.Fatalf("after two seeds: %+v", p)
	}
}

// TestSeedShowsReminders: the demo fund has a reminder policy and donors with
// addresses in three languages, so that a run (without SMTP, as the demo has
// none) leaves reminders pending, to be sent by hand. On the demo's last day,
// 2026-12-01: the overdue Nordic (en) and Atlas (ar) pledges and the Sahel
// network's two overdue instalments (fr) each get their third overdue reminder
// (the catch-up rule); the Léman pledge due 2026-12-31 is not due a reminder yet.
func TestSeedShowsReminders(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	if err := seed.Demo(ctx, s); err != nil {
		t.Fatal(err)
	}
	f, err := s.Fund(ctx, seed.FundCode)
	if err != nil {
		t.Fatal(err)
	}
	if f.ReminderPolicy == nil || *f.ReminderPolicy != (models.ReminderPolicy{BeforeDueDays: 14, OverdueEveryDays: 30, MaxOverdue: 3}) {
		t.Fatalf("the demo fund's reminder policy: %+v", f.ReminderPolicy)
	}
	donors, err := s.Donors(ctx, store.DonorFilter{}, models.PageRequest{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	languages := map[string]int{}
	for _, d := range donors.Items {
		if d.ContactEmail != "" {
			languages[d.Language]++
		}
	}
	if languages["en"] != 1 || languages["fr"] != 2 || languages["ar"] != 1 {
		t.Fatalf("seeded donors with an address, by language: %v", languages)
	}
	run, err := s.At(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)).RunReminders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Each of the four overdue instalments: its 3rd reminder pending, the 1st
	// and 2nd recorded as missed (the demo's scheduler never ran before).
	if run != (models.ReminderRun{Queued: 4, Pending: 4, Skipped: 8}) {
		t.Fatalf("a reminders run on the demo: %+v", run)
	}
	list, err := s.Reminders(ctx, models.ReminderFilter{}, models.PageRequest{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, r := range list.Items {
		if r.Status == models.ReminderSkipped && r.Sequence < 3 && r.Kind == "overdue" {
			continue
		}
		if r.Status != models.ReminderPending || r.Kind != "overdue" || r.Sequence != 3 || r.To == "" {
			t.Errorf("seeded reminder: %+v", r)
		}
		got[r.Language]++
	}
	if len(list.Items) != 12 || got["en"] != 1 || got["fr"] != 2 || got["ar"] != 1 {
		t.Fatalf("reminders by language: %v (%d)", got, len(list.Items))
	}
}

// TestDataSurvivesRestart: what was answered before the store closed is there
// when it opens again on the same database, with the same figures.
func TestDataSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t)
	s, err := store.Open(ctx, store.Config{DSN: dsn, Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := seed.Demo(ctx, s); err != nil {
		t.Fatal(err)
	}
	before, err := s.Progress(ctx, seed.FundCode, "")
	if err != nil {
		t.Fatal(err)
	}
	snap, _ := s.AggregateSnapshot(ctx)
	s.Close()
	s, err = store.Open(ctx, store.Config{DSN: dsn, Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	after, err := s.Progress(ctx, seed.FundCode, "")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := s.AggregateSnapshot(ctx)
	b, _ := json.Marshal(before)
	a, _ := json.Marshal(after)
	if string(a) != string(b) || !slices.Equal(snap, again) || len(snap) == 0 {
		t.Fatalf("after a restart: %s, before: %s", a, b)
	}
}

// TestParallelGuessesAreThrottled: guesses sent at once are each counted
// before the password is checked, so no more than the allowed number are tried.
func TestParallelGuessesAreThrottled(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	if _, _, err := s.EnsureAdmin(ctx, "admin@example.org", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	codes := make(chan string, 40)
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := s.Login(ctx, models.LoginInput{Email: "admin@example.org", Password: "wrong guess"}, "10.0.0.1")
			codes <- models.ErrorCode(err)
		}()
	}
	wg.Wait()
	close(codes)
	count := map[string]int{}
	for c := range codes {
		count[c]++
	}
	if count[models.EUNAUTHORIZED] != store.AccountMaxFailures || count[models.ERATELIMITED] != 40-store.AccountMaxFailures {
		t.Fatalf("40 parallel guesses: %v, want %d tried and the rest refused", count, store.AccountMaxFailures)
	}
	_, _, err := s.Login(ctx, models.LoginInput{Email: "admin@example.org", Password: "correct horse battery"}, "10.0.0.2")
	var me *models.Error
	if !errors.As(err, &me) || me.Code != models.ERATELIMITED || me.RetryAfter < 1 || me.RetryAfter > int(store.ThrottleWindow.Seconds())+1 {
		t.Fatalf("the right password while locked: %#v", err)
	}
}
