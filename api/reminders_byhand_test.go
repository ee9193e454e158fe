package api_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fundtracker/fundtracker/store/storetest"
)

// Reminders sent by hand (no mail server): the message to send, in the
// donor's language, then marked sent, so the scheduler never e-mails it, even
// once SMTP is set up.

// reminderOf is the one reminder of a pledge with a status.
func (w *reminderWorld) reminderOf(pledge, status string) string {
	w.t.Helper()
	for _, r := range w.reminders(pledge) {
		if r["status"] == status {
			return fmt.Sprint(r["id"])
		}
	}
	w.t.Fatalf("pledge %s has no %s reminder: %v", pledge, status, w.reminders(pledge))
	return ""
}

func TestRemindersSentByHand(t *testing.T) {
	w := newReminderWorld(t)        // no mail server
	w.advance(146 * 24 * time.Hour) // 25 July 2026
	pEn := w.pledge(w.en, "1000.00", "AGR-EN", "2026-08-01")
	pFr := w.pledge(w.fr, "1500.00", "AGR-FR", "2026-07-31")
	pAr := w.pledge(w.ar, "1234567.50", "AGR-AR", "2026-05-20") // overdue 1 and 2 missed (skipped), 3 pending
	wantRun(t, w.run(), map[string]int{"queued": 3, "sent": 0, "skipped": 2, "pending": 3})
	en, fr, ar := w.reminderOf(pEn, "pending"), w.reminderOf(pFr, "pending"), w.reminderOf(pAr, "pending")

	// The message, as the mailer would send it, in each donor's language.
	for _, c := range []struct {
		id, to, lang, subject string
		text, html            []string
	}{
		{en, "en@example.org", "en", "Payment reminder: 1,000.00 USD due on 1 August 2026 — Resilience Fund",
			[]string{"Dear Kingdom of Norway,", "instalment 1 of 1 of your pledge AGR-EN to Resilience Fund falls due on 1 August 2026"},
			[]string{`<html lang="en" dir="ltr">`}},
		{fr, "fr@example.org", "fr", "Relance avant échéance : 1\u202f500,00\u00a0USD à verser le 31 juillet 2026 — Fonds de résilience",
			[]string{"Bonjour République du Sénégal,", "de votre annonce de contribution AGR-FR (Fonds de résilience) arrive le 31 juillet 2026"},
			[]string{`<html lang="fr" dir="ltr">`, "annonce de contribution"}},
		// ar-MA, as the console and the public pages write them: Moroccan
		// month names, "." between thousands and "," before the decimals.
		{ar, "ar@example.org", "ar", "دفعة متأخرة: \u20681.234.567,50 USD\u2069 كانت مستحقة في 20 ماي 2026 — صندوق الصمود",
			[]string{"السادة المملكة المغربية المحترمون،", "\u2068AGR-AR\u2069", "20 ماي 2026", "\u20681.234.567,50 USD\u2069"},
			[]string{`<html lang="ar" dir="rtl">`, "<bdi><strong>1.234.567,50 USD</strong></bdi>", "20 ماي 2026"}},
	} {
		m := w.do("GET", "/api/v1/reminders/"+c.id+"/message", w.staff, nil).status(200).body
		if m["to"] != c.to || m["language"] != c.lang || m["subject"] != c.subject {
			t.Errorf("message of %s: to %v, language %v, subject %q; want %s %s %q", c.lang, m["to"], m["language"], m["subject"], c.to, c.lang, c.subject)
		}
		text, html := fmt.Sprint(m["text"]), fmt.Sprint(m["html"])
		for _, s := range c.text {
			if !strings.Contains(text, s) {
				t.Errorf("%s text lacks %q:\n%s", c.lang, s, text)
			}
		}
		for _, s := range c.html {
			if !strings.Contains(html, s) {
				t.Errorf("%s HTML lacks %q:\n%s", c.lang, s, html)
			}
		}
		if strings.Contains(text, "مايو") || strings.Contains(text, "1,234,567.50") {
			t.Errorf("%s text in Middle-Eastern formats:\n%s", c.lang, text)
		}
	}
	w.do("GET", "/api/v1/reminders/999999/message", w.staff, nil).fails(404, "not_found", "")

	// Marked sent by hand: sent now, no error, audited with the note.
	w.do("POST", "/api/v1/reminders/"+en+"/sent-by-hand", w.staff, map[string]any{"note": 7}).fails(422, "validation_failed", "note")
	w.do("POST", "/api/v1/reminders/"+en+"/sent-by-hand", w.staff, map[string]any{"sent": true}).fails(422, "validation_failed", "sent")
	r := w.do("POST", "/api/v1/reminders/"+en+"/sent-by-hand", w.staff, map[string]any{"note": "Sent from the fund's mailbox"}).status(200).body
	if r["status"] != "sent" || r["error"] != "" || r["sent_at"] != "2026-07-25T08:00:00Z" || r["to"] != "en@example.org" {
		t.Fatalf("marked sent by hand: %v", r)
	}
	// Again, or a skipped one: 409, nothing changed.
	w.do("POST", "/api/v1/reminders/"+en+"/sent-by-hand", w.staff, map[string]any{}).fails(409, "conflict", "")
	skipped := w.reminderOf(pAr, "skipped")
	w.do("POST", "/api/v1/reminders/"+skipped+"/sent-by-hand", w.staff, map[string]any{}).fails(409, "conflict", "")
	w.do("POST", "/api/v1/reminders/999999/sent-by-hand", w.staff, map[string]any{}).fails(404, "not_found", "")
	w.do("POST", "/api/v1/reminders/999999/sent-by-hand", w.staff, nil).fails(404, "not_found", "") // the body is optional
	events := w.do("GET", "/api/v1/audit?entity=reminder&entity_id="+en, w.admin, nil).status(200).items()
	if len(events) != 1 || events[0]["action"] != "send_by_hand" || events[0]["actor"] != "staff@example.org" {
		t.Fatalf("audit of the reminder sent by hand: %v", events)
	}
	after, _ := events[0]["after"].(map[string]any)
	before, _ := events[0]["before"].(map[string]any)
	if after["note"] != "Sent from the fund's mailbox" || after["status"] != "sent" || before["status"] != "pending" {
		t.Fatalf("audit before %v after %v", before, after)
	}

	// SMTP set up later: the scheduler e-mails the pending ones only, never
	// the one sent by hand. The French one is refused for good (550: failed).
	k := newSink(t)
	k.refuse["fr@example.org"] = true
	w.store.SetMailer(k.mailer(t))
	wantRun(t, w.run(), map[string]int{"queued": 0, "sent": 1, "failed": 1, "pending": 0})
	if mails := k.mails(); len(mails) != 1 || mails[0].to != "ar@example.org" {
		t.Fatalf("mails after SMTP was set up: %+v", mails)
	}
	// A failed one the team then sent itself: sent, its error cleared.
	r = w.do("POST", "/api/v1/reminders/"+fr+"/sent-by-hand", w.admin, map[string]any{"note": nil}).status(200).body
	if r["status"] != "sent" || r["error"] != "" || r["sent_at"] == nil {
		t.Fatalf("failed reminder marked sent by hand: %v", r)
	}
	w.do("POST", "/api/v1/reminders/"+ar+"/sent-by-hand", w.staff, map[string]any{}).fails(409, "conflict", "") // e-mailed
	w.advance(24 * time.Hour)
	wantRun(t, w.run(), map[string]int{"queued": 0, "sent": 0})
	if n := len(k.mails()); n != 1 {
		t.Fatalf("%d mails after the next day's run, want 1", n)
	}
	for _, p := range []string{pEn, pFr} {
		if got := w.reminders(p); len(got) != 1 || got[0]["status"] != "sent" {
			t.Fatalf("reminders of %s: %v", p, got)
		}
	}
}

// A reminder the scheduler is sending at that moment is not marked sent by
// hand (409): it is e-mailed once, and recorded sent by the scheduler.
func TestReminderBeingSentIsNotMarkedByHand(t *testing.T) {
	w := newReminderWorld(t)
	p := w.pledge(w.en, "1000.00", "AGR-EN", "2026-03-10")
	wantRun(t, w.run(), map[string]int{"queued": 1, "pending": 1})
	id := w.reminderOf(p, "pending")
	k := newSink(t)
	k.delay = 3 * time.Second
	w.store.SetMailer(k.mailer(t))
	done := make(chan map[string]any)
	go func() { done <- w.do("POST", "/api/v1/reminders/run", w.admin, nil).body }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		k.mu.Lock()
		n := k.rcpts
		k.mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the scheduler never started sending")
		}
		time.Sleep(10 * time.Millisecond)
	}
	w.do("POST", "/api/v1/reminders/"+id+"/sent-by-hand", w.staff, map[string]any{}).fails(409, "conflict", "")
	wantRun(t, <-done, map[string]int{"sent": 1})
	if got := w.reminders(p); len(got) != 1 || got[0]["status"] != "sent" || len(k.mails()) != 1 {
		t.Fatalf("reminder %v, %d mails", got, len(k.mails()))
	}
}

// On PostgreSQL, two instances sending while staff mark the same reminders
// sent by hand: each reminder is either e-mailed or marked by hand, never
// both, and every one ends sent.
func TestRemindersByHandRaceTheSchedulerOnPostgres(t *testing.T) {
	dsn := storetest.FreshSchema(t, storetest.DatabaseURL(t))
	clk := &clock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	k := newSink(t)
	k.delay = time.Millisecond
	servers := twoInstances(t, dsn, clk)
	a := servers[0]
	fund := strconv.FormatInt(a.do("POST", "/api/v1/funds", a.admin, map[string]any{"code": "race", "name": "Race Fund", "target_usd": "1000000.00",
		"reminder_policy": map[string]any{"before_due_days": 30, "overdue_every_days": 10, "max_overdue": 2}}).status(201).id(), 10)
	const pledges = 40
	for i := 0; i < pledges; i++ {
		d := a.do("POST", "/api/v1/donors", a.admin, map[string]any{"name": "Donor " + strconv.Itoa(i), "kind": "government",
			"contact_email": fmt.Sprintf("d%d@example.org", i), "language": []string{"en", "fr", "ar"}[i%3]}).status(201).id()
		a.do("POST", "/api/v1/pledges", a.admin, map[string]any{"fund_id": json.Number(fund), "donor_id": d, "amount": "100.00",
			"currency": "USD", "pledged_on": "2026-01-01", "due_on": "2026-03-20"}).status(201)
	}
	// Created without a mail server: pending, to be sent by hand.
	wantRun(t, a.do("POST", "/api/v1/reminders/run", a.admin, nil).status(200).body, map[string]int{"queued": pledges, "pending": pledges})
	var ids []string
	for _, r := range a.do("GET", "/api/v1/reminders?limit=1000", a.admin, nil).status(200).items() {
		ids = append(ids, fmt.Sprint(r["id"]))
	}
	for _, e := range servers {
		e.store.SetMailer(k.mailer(t))
	}
	var mu sync.Mutex
	byHand := map[string]int{}
	var wg sync.WaitGroup
	for _, e := range servers {
		wg.Add(2)
		go func(e *env) {
			defer wg.Done()
			e.do("POST", "/api/v1/reminders/run", a.admin, nil).status(200)
		}(e)
		go func(e *env) { // staff going down the list, newest first, on the other instance
			defer wg.Done()
			for _, id := range ids {
				r := e.do("POST", "/api/v1/reminders/"+id+"/sent-by-hand", a.admin, map[string]any{"note": "race"})
				switch r.code {
				case 200:
					mu.Lock()
					byHand["reminder-"+id]++
					mu.Unlock()
				case 409:
				default:
					t.Errorf("sent-by-hand %s: %d %s", id, r.code, r.raw)
				}
			}
		}(e)
	}
	wg.Wait()
	mailed := map[string]int{}
	for _, m := range k.mails() {
		mailed[m.reminder]++
	}
	for _, id := range ids {
		key := "reminder-" + id
		if n := mailed[key] + byHand[key]; n != 1 {
			t.Errorf("%s: mailed %d times, marked by hand %d times", key, mailed[key], byHand[key])
		}
	}
	for _, r := range a.do("GET", "/api/v1/reminders?limit=1000", a.admin, nil).status(200).items() {
		if r["status"] != "sent" {
			t.Errorf("reminder %v is %v", r["id"], r["status"])
		}
	}
	t.Logf("%d reminders: %d e-mailed, %d marked sent by hand, none both", len(ids), len(mailed), len(byHand))
}

// What stops the scheduler stops staff: a reminder whose instalment was paid
// since is neither previewed to send nor marked sent by hand (409), and
// nothing is written.
func TestReminderStoppedIsNotSentByHand(t *testing.T) {
	w := newReminderWorld(t)        // no mail server
	w.advance(146 * 24 * time.Hour) // 25 July 2026
	p := w.pledge(w.en, "1000.00", "AGR-PAID", "2026-08-01")
	w.run()
	id := w.reminderOf(p, "pending")
	w.do("POST", "/api/v1/contributions", w.staff, map[string]any{"pledge_id": json.Number(p), "amount": "1000.00", "received_on": "2026-07-25"}).status(201)
	w.do("GET", "/api/v1/reminders/"+id+"/message", w.staff, nil).fails(409, "conflict", "")
	before := w.counts()
	w.do("POST", "/api/v1/reminders/"+id+"/sent-by-hand", w.staff, nil).fails(409, "conflict", "")
	w.unchanged(before, "a stopped reminder marked by hand")
	if r := w.reminders(p); len(r) != 1 || r[0]["status"] != "pending" {
		t.Fatalf("after the refusals: %v", r)
	}
	wantRun(t, w.run(), map[string]int{"skipped": 1}) // the next run records why
}
