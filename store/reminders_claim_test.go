package store

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/fundtracker/fundtracker/models"
)

// countingMailer counts what it is asked to send.
type countingMailer struct {
	mu   sync.Mutex
	sent []models.Mail
}

func (m *countingMailer) Send(_ context.Context, mail models.Mail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, mail)
	return nil
}

// TestReminderClaimsExpire: an instance that stopped holding a claim does not
// hold its reminder for ever. Stopped before handing the message to SMTP, the
// reminder is sent once the lease runs out; stopped while handing it over, it
// may have been delivered, so it is failed (with a reason saying so) rather
// than sent a second time.
func TestReminderClaimsExpire(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s, err := Open(ctx, Config{DSN: filepath.Join(t.TempDir(), "r.db"), Migrate: true, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a := models.Actor{Email: "test@example.org"}
	name, code, kind, email := "Fund", "fund", "government", "donor@example.org"
	f, _, err := s.CreateFund(ctx, a, models.FundInput{Code: &code, Name: &name, TargetUSD: models.DecimalInput{Raw: "1000", Set: true},
		ReminderPolicy: models.ReminderPolicyInput{Set: true, Raw: json.RawMessage(`{"before_due_days": 14, "overdue_every_days": 30, "max_overdue": 3}`)}}, Idempotency{})
	if err != nil {
		t.Fatal(err)
	}
	d, _, err := s.CreateDonor(ctx, a, models.DonorInput{Name: &name, Kind: &kind, ContactEmail: &email}, Idempotency{})
	if err != nil {
		t.Fatal(err)
	}
	for _, due := range []string{"2026-03-10", "2026-03-11"} {
		_, _, err := s.CreatePledge(ctx, a, models.PledgeInput{FundID: f.ID, DonorID: d.ID, Amount: models.DecimalInput{Raw: "10.00", Set: true},
			Currency: "USD", PledgedOn: models.DateInput{Raw: "2026-01-01", Set: true}, DueOn: models.DateInput{Raw: due, Set: true}}, Idempotency{})
		if err != nil {
			t.Fatal(err)
		}
	}
	run := func() models.ReminderRun {
		t.Helper()
		r, err := s.RunReminders(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := run(); r.Queued != 2 || r.Pending != 2 {
		t.Fatalf("first run %+v", r)
	}
	// Two claims by an instance that stopped: one before, one while delivering.
	lease := now.Add(ReminderLease).UnixMilli()
	if err := s.w.Exec(`UPDATE reminders SET status = 'sending', claim_token = 'gone', claimed_until_ms = ?, attempts = 1, delivering = (id = 2)`,
		lease).Error; err != nil {
		t.Fatal(err)
	}
	m := &countingMailer{}
	s.SetMailer(m)
	if r := run(); r.Sent != 0 || r.Failed != 0 || r.Pending != 2 || len(m.sent) != 0 {
		t.Fatalf("a held claim was taken: %+v", r)
	}
	mu.Lock()
	now = now.Add(ReminderLease + time.Second)
	mu.Unlock()
	if r := run(); r.Sent != 1 || r.Failed != 1 || r.Pending != 0 || len(m.sent) != 1 || m.sent[0].ID != "reminder-1" {
		t.Fatalf("after the lease: %+v, %d sent", r, len(m.sent))
	}
	page, err := s.Reminders(ctx, models.ReminderFilter{}, models.PageRequest{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]models.Reminder{}
	for _, r := range page.Items {
		got[r.ID] = r
	}
	if r := got[1]; r.Status != models.ReminderSent || r.Attempts != 2 {
		t.Errorf("claim stopped before delivering: %+v", r)
	}
	if r := got[2]; r.Status != models.ReminderFailed || r.Error != reasonUnknown {
		t.Errorf("claim stopped while delivering: %+v", r)
	}
	if r := run(); r.Sent != 0 || len(m.sent) != 1 {
		t.Fatalf("sent again: %+v", r)
	}
}

func TestReminderPolicyDue(t *testing.T) {
	p := models.ReminderPolicy{BeforeDueDays: 14, OverdueEveryDays: 30, MaxOverdue: 3}
	for _, c := range []struct {
		today models.Date
		want  []models.DueReminder
	}{
		{"2026-02-23", nil},
		{"2026-02-24", []models.DueReminder{{Kind: "upcoming", Sequence: 1, SendOn: "2026-02-24"}}},
		{"2026-03-10", []models.DueReminder{{Kind: "upcoming", Sequence: 1, SendOn: "2026-02-24"}}},
		{"2026-03-11", []models.DueReminder{{Kind: "overdue", Sequence: 1, SendOn: "2026-03-11"}}},
		{"2026-04-09", []models.DueReminder{{Kind: "overdue", Sequence: 1, SendOn: "2026-03-11"}}},
		// Catch-up: the earlier overdue ones are listed, missed; only the latest is sent.
		{"2026-04-10", []models.DueReminder{{Kind: "overdue", Sequence: 1, SendOn: "2026-03-11", Missed: true},
			{Kind: "overdue", Sequence: 2, SendOn: "2026-04-10"}}},
		{"2026-05-10", []models.DueReminder{{Kind: "overdue", Sequence: 1, SendOn: "2026-03-11", Missed: true},
			{Kind: "overdue", Sequence: 2, SendOn: "2026-04-10", Missed: true}, {Kind: "overdue", Sequence: 3, SendOn: "2026-05-10"}}},
		{"2027-05-10", []models.DueReminder{{Kind: "overdue", Sequence: 1, SendOn: "2026-03-11", Missed: true},
			{Kind: "overdue", Sequence: 2, SendOn: "2026-04-10", Missed: true}, {Kind: "overdue", Sequence: 3, SendOn: "2026-05-10"}}},
	} {
		got := p.Due("2026-03-10", c.today)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("on %s: %+v, want %+v", c.today, got, c.want)
		}
	}
	if got := (models.ReminderPolicy{OverdueEveryDays: 1}).Due("2026-03-10", "2026-03-10"); len(got) != 1 || got[0].SendOn != "2026-03-10" {
		t.Errorf("before_due_days 0: %+v", got)
	}
	if got := p.Due("", "2026-03-10"); got != nil {
		t.Errorf("no due date: %+v", got)
	}
}
