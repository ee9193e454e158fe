package store_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"github.com/fundtracker/fundtracker/store"
	"github.com/fundtracker/fundtracker/store/storetest"
)

// TestRefusedLoginsWriteNothing: while an account is locked, refused attempts
// (even with the right password) add no row; when the lock is over, one
// coalesced "login_refused" event says how many were refused, and the
// throttle rows whose window is over are purged.
func TestRefusedLoginsWriteNothing(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2025, 7, 29, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	s := storetest.OpenConfig(t, store.Config{Now: clock})
	ctx := context.Background()
	if _, _, err := s.EnsureAdmin(ctx, "admin@example.org", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	login := func(pw string) string {
		_, _, err := s.Login(ctx, models.LoginInput{Email: "admin@example.org", Password: pw}, "10.0.0.1")
		return models.ErrorCode(err)
	}
	for i := 0; i < store.AccountMaxFailures; i++ {
		if code := login("wrong guess"); code != models.EUNAUTHORIZED {
			t.Fatalf("failure %d: %s", i+1, code)
		}
	}
	if code := login("wrong guess"); code != models.ERATELIMITED {
		t.Fatalf("the attempt past the limit: %s, want rate_limited", code)
	}
	counts := func() map[string]int64 {
		c, err := s.TableCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	locked := counts()
	for i := 0; i < 200; i++ {
		pw := "wrong guess"
		if i%10 == 0 {
			pw = "correct horse battery"
		}
		if code := login(pw); code != models.ERATELIMITED {
			t.Fatalf("attempt %d while locked: %s", i, code)
		}
		advance(time.Second)
	}
	if after := counts(); after["audit_events"] != locked["audit_events"] || after["login_throttles"] != locked["login_throttles"] {
		t.Fatalf("200 refused logins wrote rows: audit %d -> %d, throttles %d -> %d", locked["audit_events"], after["audit_events"],
			locked["login_throttles"], after["login_throttles"])
	}
	// Nothing is written while the lock lasts...
	if _, err := s.PurgeLoginThrottles(ctx, false); err != nil {
		t.Fatal(err)
	}
	if after := counts(); after["audit_events"] != locked["audit_events"] {
		t.Fatalf("a purge during the lock wrote %d audit rows", after["audit_events"]-locked["audit_events"])
	}
	// ...then one coalesced event, and the rows of windows that are over go.
	advance(store.ThrottleWindow)
	n, err := s.PurgeLoginThrottles(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	after := counts()
	if n != 2 || after["login_throttles"] != 0 {
		t.Errorf("purge deleted %d throttle rows, %d left; want the account's and the address's, none left", n, after["login_throttles"])
	}
	if after["audit_events"] != locked["audit_events"]+1 {
		t.Fatalf("after the lock: %d audit rows written, want 1", after["audit_events"]-locked["audit_events"])
	}
	page, err := s.Audit(ctx, store.AuditFilter{Action: "login_refused"}, models.PageRequest{Limit: 10})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("login_refused events: %v %v", page.Items, err)
	}
	var ev struct {
		Key     string
		Refused int
	}
	b, _ := json.Marshal(page.Items[0].After)
	json.Unmarshal(b, &ev)
	if ev.Key != "account:admin@example.org" || ev.Refused != 200 {
		t.Errorf("login_refused event %s, want the account and 200 refused", b)
	}
	if page.Items[0].Actor != "admin@example.org" || page.Items[0].SourceIP != "10.0.0.1" {
		t.Errorf("login_refused event by %q from %q", page.Items[0].Actor, page.Items[0].SourceIP)
	}
	// The lock is over: the right password works, and a purge with nothing to say writes nothing.
	if code := login("correct horse battery"); code != "" {
		t.Fatalf("after the lock the right password answered %s", code)
	}
	before := counts()
	if _, err := s.PurgeLoginThrottles(ctx, true); err != nil {
		t.Fatal(err)
	}
	if c := counts(); c["audit_events"] != before["audit_events"] {
		t.Errorf("an idle purge wrote %d audit rows", c["audit_events"]-before["audit_events"])
	}
}
