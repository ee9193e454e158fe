package api_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/fundtracker/fundtracker/api"
	"github.com/fundtracker/fundtracker/handlers/mailer"
	"github.com/fundtracker/fundtracker/models"
	"github.com/fundtracker/fundtracker/store"
	"github.com/fundtracker/fundtracker/store/storetest"
)

// Issue 11: payment reminders, through the real server, delivered to an
// in-process SMTP server (github.com/emersion/go-smtp).

// sink is an SMTP server that keeps every message it accepts. tempFail makes
// a recipient fail with 451 that many times; refuse makes one fail with 550.
type sink struct {
	mu       sync.Mutex
	users    map[string]string // when set, AUTH PLAIN with these is required
	authed   []string
	addr     string
	got      []received
	tempFail map[string]int
	refuse   map[string]bool
	delay    time.Duration
	rcpts    int // recipients accepted (a message is on its way from then)
}

type received struct {
	to, subject, reminder, lang, text, html string
}

func newSink(t *testing.T, tlsConfig ...*tls.Config) *sink {
	t.Helper()
	k := &sink{tempFail: map[string]int{}, refuse: map[string]bool{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{k: k}, nil }))
	if len(tlsConfig) > 0 {
		srv.TLSConfig = tlsConfig[0] // STARTTLS offered
	}
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	k.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return k
}

func (k *sink) mailer(t *testing.T) *mailer.Mailer {
	t.Helper()
	m, err := mailer.New("smtp://"+k.addr, "Fund team <funds@example.org>")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (k *sink) mails() []received {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]received(nil), k.got...)
}

type sinkSession struct {
	k    *sink
	to   string
	user string
}

func (s *sinkSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *sinkSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		s.k.mu.Lock()
		defer s.k.mu.Unlock()
		if want, ok := s.k.users[user]; !ok || want != pass {
			return errors.New("bad credentials")
		}
		s.user = user
		s.k.authed = append(s.k.authed, user)
		return nil
	}), nil
}

func (s *sinkSession) Reset()        {}
func (s *sinkSession) Logout() error { return nil }
func (s *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.k.users != nil && s.user == "" {
		return smtp.ErrAuthRequired
	}
	return nil
}
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.k.mu.Lock()
	defer s.k.mu.Unlock()
	if s.k.refuse[to] {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	if s.k.tempFail[to] > 0 {
		s.k.tempFail[to]--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.to = to
	s.k.rcpts++
	return nil
}

func (s *sinkSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(m.Header.Get("Subject"))
	got := received{to: s.to, subject: subject, reminder: m.Header.Get("X-Fundtracker-Reminder"), lang: m.Header.Get("Content-Language")}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		return err
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		b, _ := io.ReadAll(p)
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			got.html = string(b)
		} else {
			got.text = string(b)
		}
	}
	time.Sleep(s.k.delay)
	s.k.mu.Lock()
	s.k.got = append(s.k.got, got)
	s.k.mu.Unlock()
	return nil
}

// reminderWorld is a fund with a reminder policy and donors in each language.
type reminderWorld struct {
	*env
	clk              *clock
	fund             string
	en, fr, ar, none string // donor ids
}

func newReminderWorld(t *testing.T) *reminderWorld {
	clk := &clock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	e := newEnvConfig(t, api.Config{}, clk)
	w := &reminderWorld{env: e, clk: clk}
	w.fund = strconv.FormatInt(e.do("POST", "/api/v1/funds", e.admin, map[string]any{"code": "resilience", "name": "Resilience Fund",
		"target_usd": "1000000.00", "translations": map[string]any{"fr": map[string]any{"name": "Fonds de résilience"},
			"ar": map[string]any{"name": "صندوق الصمود"}}}).status(201).id(), 10)
	e.do("PATCH", "/api/v1/funds/"+w.fund, e.admin, map[string]any{"reminder_policy": map[string]any{
		"before_due_days": 14, "overdue_every_days": 30, "max_overdue": 3}}).status(200)
	donor := func(name, lang, email string) string {
		body := map[string]any{"name": name, "kind": "government", "contact_email": email}
		if lang != "" {
			body["language"] = lang
		}
		return strconv.FormatInt(e.do("POST", "/api/v1/donors", e.staff, body).status(201).id(), 10)
	}
	w.en = donor("Kingdom of Norway", "", "en@example.org")
	w.fr = donor("République du Sénégal", "fr", "fr@example.org")
	w.ar = donor("المملكة المغربية", "ar", "ar@example.org")
	w.none = donor("Silent Partner", "en", "")
	return w
}

// pledge records a USD pledge of a donor, with a schedule or a due date.
func (w *reminderWorld) pledge(donor, amount, ref string, due any) string {
	body := map[string]any{"fund_id": json.Number(w.fund), "donor_id": json.Number(donor), "amount": amount, "currency": "USD",
		"pledged_on": "2026-01-01", "reference": ref}
	switch d := due.(type) {
	case nil:
	case string:
		body["due_on"] = d
	default:
		body["schedule"] = d
	}
	return strconv.FormatInt(w.do("POST", "/api/v1/pledges", w.staff, body).status(201).id(), 10)
}

// advance moves the clock on, signing in again (sessions expire).
func (w *reminderWorld) advance(d time.Duration) {
	w.clk.add(d)
	w.admin = w.login("admin@example.org", password)
	w.staff = w.login("staff@example.org", password)
}

func (w *reminderWorld) run() map[string]any {
	w.t.Helper()
	return w.do("POST", "/api/v1/reminders/run", w.admin, nil).status(200).body
}

// reminders lists every reminder of a pledge ("" for all), oldest first.
func (w *reminderWorld) reminders(pledge string) []map[string]any {
	w.t.Helper()
	items := w.do("GET", "/api/v1/reminders?limit=1000&fund_id="+w.fund, w.staff, nil).status(200).items()
	var out []map[string]any
	for i := len(items) - 1; i >= 0; i-- {
		if pledge == "" || fmt.Sprint(items[i]["pledge_id"]) == pledge {
			out = append(out, items[i])
		}
	}
	return out
}

func wantRun(t *testing.T, got map[string]any, want map[string]int) {
	t.Helper()
	for k, v := range want {
		if got[k] != float64(v) {
			t.Fatalf("run %v: %s = %v, want %d", got, k, got[k], v)
		}
	}
}

func TestRemindersDeliveredOnceInTheDonorsLanguage(t *testing.T) {
	w := newReminderWorld(t)
	k := newSink(t)
	w.store.SetMailer(k.mailer(t))

	pEn := w.pledge(w.en, "3000.00", "AGR-EN", []any{
		map[string]any{"due_on": "2026-03-10", "amount": "1000.00"},
		map[string]any{"due_on": "2026-06-30", "amount": "1000.00"},
		map[string]any{"due_on": "2026-09-30", "amount": "1000.00"}})
	pFr := w.pledge(w.fr, "1500.00", "AGR-FR", "2026-03-05")
	pAr := w.pledge(w.ar, "700.00", "AGR-AR", "2026-02-20") // overdue since 21 February
	pNone := w.pledge(w.none, "100.00", "AGR-NONE", "2026-03-10")
	pPaid := w.pledge(w.en, "200.00", "AGR-PAID", "2026-03-12")
	pCancelled := w.pledge(w.fr, "300.00", "AGR-CXL", "2026-03-08")
	pNoDue := w.pledge(w.en, "50.00", "AGR-NODUE", nil)
	w.do("POST", "/api/v1/contributions", w.staff, map[string]any{"pledge_id": json.Number(pPaid), "amount": "200.00", "received_on": "2026-02-20"}).status(201)
	w.do("POST", "/api/v1/pledges/"+pCancelled+"/cancel", w.staff, map[string]any{"reason": "Withdrawn"}).status(200)

	// 1 March: upcoming for the instalments due within 14 days, overdue 1
	// for the Arabic donor's; the donor without an e-mail is skipped.
	wantRun(t, w.run(), map[string]int{"queued": 3, "sent": 3, "skipped": 1, "failed": 0, "retrying": 0, "pending": 0})
	mails := k.mails()
	if len(mails) != 3 {
		t.Fatalf("%d mails, want 3: %+v", len(mails), mails)
	}
	byTo := map[string]received{}
	for _, m := range mails {
		byTo[m.to] = m
	}
	en, fr, ar := byTo["en@example.org"], byTo["fr@example.org"], byTo["ar@example.org"]
	for _, c := range []struct {
		m          received
		lang       string
		subject    string
		text, html []string
	}{
		{en, "en", "Payment reminder: 1,000.00 USD due on 10 March 2026 — Resilience Fund",
			[]string{"Dear Kingdom of Norway,", "instalment 1 of 3 of your pledge AGR-EN", "The amount to pay is 1,000.00 USD."},
			[]string{`<html lang="en" dir="ltr">`, "AGR-EN"}},
		{fr, "fr", "Relance avant échéance : 1\u202f500,00\u00a0USD à verser le 5 mars 2026 — Fonds de résilience",
			[]string{"Bonjour République du Sénégal,", "l’échéance 1 sur 1 de votre annonce de contribution AGR-FR (Fonds de résilience)"},
			[]string{`<html lang="fr" dir="ltr">`}},
		{ar, "ar", "دفعة متأخرة: \u2068700,00 USD\u2069 كانت مستحقة في 20 فبراير 2026 — صندوق الصمود",
			[]string{"السادة المملكة المغربية المحترمون،", "\u2068AGR-AR\u2069", "تجاهل هذه الرسالة"},
			[]string{`<html lang="ar" dir="rtl">`, `<body dir="rtl"`, "<bdi><strong>700,00 USD</strong></bdi>"}},
	} {
		if c.m.lang != c.lang || c.m.subject != c.subject {
			t.Errorf("mail in %q with subject %q, want %q %q", c.m.lang, c.m.subject, c.lang, c.subject)
		}
		for _, s := range c.text {
			if !strings.Contains(c.m.text, s) {
				t.Errorf("%s text lacks %q:\n%s", c.lang, s, c.m.text)
			}
		}
		for _, s := range c.html {
			if !strings.Contains(c.m.html, s) {
				t.Errorf("%s HTML lacks %q:\n%s", c.lang, s, c.m.html)
			}
		}
	}
	// The records: sent ones with their addresses, the skipped one saying why.
	r := w.reminders(pEn)
	if len(r) != 1 || r[0]["kind"] != "upcoming" || r[0]["status"] != "sent" || r[0]["to"] != "en@example.org" || r[0]["sent_at"] == nil ||
		r[0]["instalment_seq"] != float64(1) || r[0]["sequence"] != float64(1) || r[0]["language"] != "en" {
		t.Fatalf("reminders of the English pledge: %v", r)
	}
	if r := w.reminders(pAr); len(r) != 1 || r[0]["kind"] != "overdue" || r[0]["language"] != "ar" {
		t.Fatalf("reminders of the Arabic pledge: %v", r)
	}
	if r := w.reminders(pNone); len(r) != 1 || r[0]["status"] != "skipped" || r[0]["error"] != "the donor has no contact e-mail" || r[0]["to"] != "" {
		t.Fatalf("reminders of the donor without e-mail: %v", r)
	}
	for _, p := range []string{pPaid, pCancelled, pNoDue} {
		if r := w.reminders(p); len(r) != 0 {
			t.Fatalf("a paid, cancelled or undated instalment got reminders: %v", r)
		}
	}

	// Again the same day, and the next: nothing new, nothing sent twice.
	wantRun(t, w.run(), map[string]int{"queued": 0, "sent": 0, "skipped": 0})
	w.advance(24 * time.Hour)
	wantRun(t, w.run(), map[string]int{"queued": 0, "sent": 0, "skipped": 0})
	if n := len(k.mails()); n != 3 {
		t.Fatalf("%d mails after runs that had nothing to send, want 3", n)
	}

	// 6 March: the French pledge fell due yesterday and was paid: no overdue reminder.
	w.advance(4 * 24 * time.Hour)
	w.do("POST", "/api/v1/contributions", w.staff, map[string]any{"pledge_id": json.Number(pFr), "amount": "1500.00", "received_on": "2026-03-05"}).status(201)
	wantRun(t, w.run(), map[string]int{"queued": 0, "sent": 0})

	// 15 May, the scheduler having been off: the catch-up rule sends only
	// the latest overdue reminder due (the 3rd of the Arabic pledge's, the
	// 3rd of the English first instalment's); the 2nd of each, missed, is
	// recorded as skipped and not sent.
	w.advance(time.Date(2026, 5, 15, 8, 0, 0, 0, time.UTC).Sub(w.clk.now()))
	wantRun(t, w.run(), map[string]int{"queued": 2, "sent": 2, "skipped": 6}) // every missed one of the fund's pledges
	for _, p := range []string{pAr, pEn} {
		r := w.reminders(p)
		last := r[len(r)-1]
		if last["kind"] != "overdue" || last["sequence"] != float64(3) || last["status"] != "sent" || last["due_on"] == nil {
			t.Fatalf("catch-up reminders of pledge %s: %v", p, r)
		}
		missed := 0
		for _, x := range r {
			if x["sequence"] == float64(2) {
				if x["status"] != "skipped" || x["sent_at"] != nil || !strings.Contains(fmt.Sprint(x["error"]), "catch-up") {
					t.Fatalf("the missed 2nd overdue reminder: %v", x)
				}
				missed++
			}
		}
		if missed != 1 {
			t.Fatalf("pledge %s: %d records of the missed 2nd reminder: %v", p, missed, r)
		}
	}
	// At most max_overdue: a year later, nothing more for them.
	w.advance(365 * 24 * time.Hour)
	w.run()
	if r := w.reminders(pAr); len(r) != 3 {
		t.Fatalf("the Arabic pledge has %d reminders after max_overdue, want 3: %v", len(r), r)
	}
	// Lowering max_overdue below a number already created does not go back.
	w.do("PATCH", "/api/v1/funds/"+w.fund, w.admin, map[string]any{"reminder_policy": map[string]any{
		"before_due_days": 14, "overdue_every_days": 30, "max_overdue": 2}}).status(200)
	w.run()
	if r := w.reminders(pAr); len(r) != 3 {
		t.Fatalf("the Arabic pledge has %d reminders after max_overdue was lowered, want 3: %v", len(r), r)
	}
	// Every (instalment, kind, sequence) once, every sent one mailed once.
	seen, sent := map[string]bool{}, 0
	for _, x := range w.reminders("") {
		key := fmt.Sprint(x["pledge_id"], x["instalment_seq"], x["due_on"], x["kind"], x["sequence"])
		if seen[key] {
			t.Fatalf("reminder %s created twice", key)
		}
		seen[key] = true
		if x["status"] == "sent" {
			sent++
		}
	}
	perReminder := map[string]int{}
	for _, m := range k.mails() {
		if perReminder[m.reminder]++; perReminder[m.reminder] > 1 {
			t.Fatalf("%s mailed twice", m.reminder)
		}
	}
	if len(perReminder) != sent {
		t.Fatalf("%d reminders mailed, %d sent", len(perReminder), sent)
	}
}

// Paying, writing off or cancelling an instalment stops its pending reminder;
// without SMTP reminders stay pending, to be sent by hand.
func TestRemindersStopWhenTheInstalmentIsSettled(t *testing.T) {
	w := newReminderWorld(t)
	paid := w.pledge(w.en, "100.00", "P-PAID", "2026-03-10")
	written := w.pledge(w.fr, "100.00", "P-WO", "2026-03-10")
	cancelled := w.pledge(w.ar, "100.00", "P-CXL", "2026-03-10")
	later := w.pledge(w.en, "100.00", "P-LATER", []any{
		map[string]any{"due_on": "2026-03-10", "amount": "40.00"}, map[string]any{"due_on": "2026-12-31", "amount": "60.00"}})

	// The list says whether mail is set up, before any run: pending reminders are to be sent by hand.
	if b := w.do("GET", "/api/v1/reminders", w.staff, nil).status(200).body; b["mail"] != false {
		t.Fatalf("the list of reminders without SMTP answers mail %v, want false", b["mail"])
	}
	wantRun(t, w.run(), map[string]int{"queued": 4, "sent": 0, "pending": 4})
	if r := w.do("GET", "/api/v1/reminders?status=pending", w.staff, nil).status(200); len(r.items()) != 4 || r.body["mail"] != false {
		t.Fatalf("%d pending reminders, mail %v; want 4, false", len(r.items()), r.body["mail"])
	}
	w.do("POST", "/api/v1/contributions", w.staff, map[string]any{"pledge_id": json.Number(paid), "amount": "100.00", "received_on": "2026-03-01"}).status(201)
	w.do("POST", "/api/v1/pledges/"+written+"/write-off", w.staff, map[string]any{"reason": "Will not be paid"}).status(200)
	w.do("POST", "/api/v1/pledges/"+cancelled+"/cancel", w.staff, map[string]any{"reason": "Withdrawn"}).status(200)
	// Paid 40: the first instalment of the last pledge is paid, the second is not due yet.
	w.do("POST", "/api/v1/contributions", w.staff, map[string]any{"pledge_id": json.Number(later), "amount": "40.00", "received_on": "2026-03-01"}).status(201)

	k := newSink(t)
	w.store.SetMailer(k.mailer(t))
	if b := w.do("GET", "/api/v1/reminders?status=pending", w.staff, nil).status(200).body; b["mail"] != true {
		t.Fatalf("the list of reminders with SMTP answers mail %v, want true", b["mail"])
	}
	wantRun(t, w.run(), map[string]int{"queued": 0, "sent": 0, "skipped": 4, "pending": 0})
	if n := len(k.mails()); n != 0 {
		t.Fatalf("%d mails for settled instalments", n)
	}
	for p, why := range map[string]string{paid: "the instalment was paid", written: "the instalment was written off",
		cancelled: "the pledge was cancelled", later: "the instalment was paid"} {
		r := w.reminders(p)
		if len(r) != 1 || r[0]["status"] != "skipped" || r[0]["error"] != why {
			t.Errorf("pledge %s: %v, want skipped: %s", p, r, why)
		}
	}
	if r := w.do("GET", "/api/v1/reminders?status=skipped&fund_id="+w.fund, w.staff, nil).status(200).items(); len(r) != 4 {
		t.Fatalf("%d skipped reminders, want 4", len(r))
	}
	w.do("GET", "/api/v1/reminders?status=sending", w.staff, nil).fails(422, "validation_failed", "status")
	w.do("GET", "/api/v1/reminders?fund_id=x", w.staff, nil).fails(422, "validation_failed", "fund_id")
	w.do("POST", "/api/v1/reminders/run", w.staff, nil).status(403)
}

// A failed send is retried with backoff, then failed with the error; a
// refusal for good fails at once; a server that cannot be reached stops the run.
func TestReminderRetriesThenFails(t *testing.T) {
	w := newReminderWorld(t)
	k := newSink(t)
	for _, name := range []string{"Flaky", "Down", "Gone"} { // in this order: the unreached run tries Flaky's
		email := strings.ToLower(name) + "@example.org"
		d := strconv.FormatInt(w.do("POST", "/api/v1/donors", w.staff, map[string]any{"name": name, "kind": "foundation", "contact_email": email}).status(201).id(), 10)
		w.pledge(d, "10.00", name, "2026-03-10")
	}
	k.tempFail["flaky@example.org"] = 1
	k.tempFail["down@example.org"] = 1000
	k.refuse["gone@example.org"] = true

	// Unreachable first: the first attempt fails, the run stops sending.
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := dead.Addr().String()
	dead.Close()
	m, err := mailer.New("smtp://"+addr, "funds@example.org")
	if err != nil {
		t.Fatal(err)
	}
	w.store.SetMailer(m)
	wantRun(t, w.run(), map[string]int{"queued": 3, "sent": 0, "retrying": 1, "pending": 3})

	w.store.SetMailer(k.mailer(t))
	w.advance(2 * time.Minute) // past the first backoff
	wantRun(t, w.run(), map[string]int{"sent": 0, "retrying": 2, "failed": 1})
	for step := 0; step < 6; step++ {
		w.advance(3 * time.Hour) // past the longest backoff
		w.run()
	}
	byTo := map[string]map[string]any{}
	for _, r := range w.reminders("") {
		byTo[r["to"].(string)] = r
	}
	if r := byTo["flaky@example.org"]; r["status"] != "sent" || r["attempts"] != float64(3) {
		t.Errorf("flaky: %v (unreached, 451, then sent)", r)
	}
	if r := byTo["down@example.org"]; r["status"] != "failed" || r["attempts"] != float64(len(store.ReminderBackoff)+1) ||
		!strings.Contains(r["error"].(string), "451") {
		t.Errorf("down: %v", r)
	}
	if r := byTo["gone@example.org"]; r["status"] != "failed" || r["attempts"] != float64(1) || !strings.Contains(r["error"].(string), "550") {
		t.Errorf("gone: %v", r)
	}
	if n := len(k.mails()); n != 1 {
		t.Fatalf("%d mails, want 1", n)
	}
}

func TestReminderPolicyAndDonorLanguage(t *testing.T) {
	w := newReminderWorld(t)
	f := w.do("GET", "/api/v1/funds/"+w.fund, "", nil).status(200).body
	if p, _ := f["reminder_policy"].(map[string]any); p["before_due_days"] != float64(14) || p["overdue_every_days"] != float64(30) || p["max_overdue"] != float64(3) {
		t.Fatalf("fund answer: %v", f["reminder_policy"])
	}
	bad := w.do("PATCH", "/api/v1/funds/"+w.fund, w.admin, map[string]any{"reminder_policy": map[string]any{
		"before_due_days": -1, "overdue_every_days": 0, "max_overdue": "3", "every": 2}}).fails(422, "validation_failed", "reminder_policy.before_due_days")
	for _, field := range []string{"reminder_policy.overdue_every_days", "reminder_policy.max_overdue", "reminder_policy.every"} {
		if _, ok := bad.body["error"].(map[string]any)["fields"].(map[string]any)[field]; !ok {
			t.Errorf("422 does not name %s: %s", field, bad.raw)
		}
	}
	w.do("PATCH", "/api/v1/funds/"+w.fund, w.admin, map[string]any{"reminder_policy": map[string]any{"before_due_days": 3}}).
		fails(422, "validation_failed", "reminder_policy.max_overdue")
	w.do("PATCH", "/api/v1/funds/"+w.fund, w.admin, map[string]any{"reminder_policy": 14}).fails(422, "validation_failed", "reminder_policy")
	w.do("PATCH", "/api/v1/funds/"+w.fund, w.staff, map[string]any{"reminder_policy": nil}).status(403)
	if f := w.do("PATCH", "/api/v1/funds/"+w.fund, w.admin, map[string]any{"reminder_policy": nil}).status(200).body; f["reminder_policy"] != nil {
		t.Fatalf("reminder_policy not cleared: %v", f)
	}
	// The change is audited as a fund update.
	ev := w.do("GET", "/api/v1/audit?entity=fund&entity_id="+w.fund, w.admin, nil).status(200).items()
	if len(ev) == 0 || !strings.Contains(fmt.Sprint(ev[0]["before"]), "overdue_every_days") {
		t.Fatalf("policy change not in the audit trail: %v", ev)
	}
	// Without a policy, no reminders.
	w.pledge(w.en, "10.00", "X", "2026-03-05")
	wantRun(t, w.run(), map[string]int{"queued": 0})

	d := w.do("GET", "/api/v1/donors/"+w.en, w.staff, nil).status(200).body
	if d["language"] != "en" {
		t.Fatalf("default language %v", d["language"])
	}
	w.do("POST", "/api/v1/donors", w.staff, map[string]any{"name": "X", "kind": "other", "language": "de"}).fails(422, "validation_failed", "language")
	w.do("PATCH", "/api/v1/donors/"+w.en, w.staff, map[string]any{"language": nil}).fails(422, "validation_failed", "language")
	if d := w.do("PATCH", "/api/v1/donors/"+w.en, w.staff, map[string]any{"language": "ar"}).status(200).body; d["language"] != "ar" {
		t.Fatalf("language not changed: %v", d)
	}
	// A donors import reads a language column (here under its French template header).
	w.importFile(w.staff, "donors", "commit", "donors.csv", []byte("name,kind,contact_email,Langue\nImported Donor,ngo,i@example.org,FR\n"), "").status(201)
	if d := w.do("GET", "/api/v1/donors?q=imported", w.staff, nil).status(200).items(); len(d) != 1 || d[0]["language"] != "fr" {
		t.Fatalf("imported donor: %v", d)
	}
	dry := w.importFile(w.staff, "donors", "dry_run", "donors.csv", []byte("name,kind,language\nOther,ngo,de\n"), "").status(200)
	if errs, _ := dry.body["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["field"] != "language" {
		t.Fatalf("an unknown language imported: %s", dry.raw)
	}
}

// twoInstances opens two servers on one PostgreSQL schema (the first
// migrates it), with an admin signed in on the first.
func twoInstances(t *testing.T, dsn string, clk *clock) []*env {
	t.Helper()
	ctx := context.Background()
	var servers []*env
	for i := 0; i < 2; i++ {
		s, err := store.Open(ctx, store.Config{DSN: dsn, Migrate: i == 0, Now: clk.now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		e := &env{t: t, store: s, srv: httptest.NewServer(api.New(api.Config{}, s))}
		t.Cleanup(e.srv.Close)
		servers = append(servers, e)
	}
	if _, _, err := servers[0].store.EnsureAdmin(ctx, "admin@example.org", password); err != nil {
		t.Fatal(err)
	}
	servers[0].admin = servers[0].login("admin@example.org", password)
	return servers
}

// Two instances on one PostgreSQL schema run the reminders at the same time:
// each reminder is created once and mailed exactly once.
func TestRemindersOnceWithTwoInstancesOnPostgres(t *testing.T) {
	dsn := storetest.FreshSchema(t, storetest.DatabaseURL(t))
	clk := &clock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	k := newSink(t)
	k.delay = 2 * time.Millisecond
	servers := twoInstances(t, dsn, clk)
	for _, e := range servers {
		e.store.SetMailer(k.mailer(t))
	}
	a := servers[0]
	fund := strconv.FormatInt(a.do("POST", "/api/v1/funds", a.admin, map[string]any{"code": "race", "name": "Race Fund", "target_usd": "1000000.00",
		"reminder_policy": map[string]any{"before_due_days": 30, "overdue_every_days": 10, "max_overdue": 2}}).status(201).id(), 10)
	const pledges = 30
	for i := 0; i < pledges; i++ {
		lang := []string{"en", "fr", "ar"}[i%3]
		d := a.do("POST", "/api/v1/donors", a.admin, map[string]any{"name": "Donor " + strconv.Itoa(i), "kind": "government",
			"contact_email": fmt.Sprintf("d%d@example.org", i), "language": lang}).status(201).id()
		// Three instalments: one overdue, one due within 30 days, one later.
		a.do("POST", "/api/v1/pledges", a.admin, map[string]any{"fund_id": json.Number(fund), "donor_id": d, "amount": "300.00",
			"currency": "USD", "pledged_on": "2026-01-01", "schedule": []any{
				map[string]any{"due_on": "2026-02-20", "amount": "100.00"},
				map[string]any{"due_on": "2026-03-20", "amount": "100.00"},
				map[string]any{"due_on": "2026-09-20", "amount": "100.00"}}}).status(201)
	}
	totals := map[string]int{}
	var mu sync.Mutex
	runDay := func() {
		var wg sync.WaitGroup
		for _, e := range servers {
			for r := 0; r < 3; r++ {
				wg.Add(1)
				go func(e *env) {
					defer wg.Done()
					body := e.do("POST", "/api/v1/reminders/run", a.admin, nil).status(200).body
					mu.Lock()
					for _, f := range []string{"queued", "sent", "failed", "skipped", "retrying"} {
						totals[f] += int(body[f].(float64))
					}
					mu.Unlock()
				}(e)
			}
		}
		wg.Wait()
	}
	runDay()
	// 1 March: the February instalments' overdue 1, the 20 March ones' upcoming.
	if totals["queued"] != 2*pledges || totals["sent"] != 2*pledges || totals["failed"]+totals["skipped"]+totals["retrying"] != 0 {
		t.Fatalf("day 1 totals %v, want %d queued and sent", totals, 2*pledges)
	}
	clk.add(10 * 24 * time.Hour) // 11 March: the second overdue reminder
	a.admin = a.login("admin@example.org", password)
	runDay()
	want := 3 * pledges
	if totals["queued"] != want || totals["sent"] != want {
		t.Fatalf("totals %v, want %d queued and sent", totals, want)
	}
	mails := k.mails()
	per := map[string]int{}
	for _, m := range mails {
		per[m.reminder]++
	}
	for id, n := range per {
		if n != 1 {
			t.Errorf("%s mailed %d times", id, n)
		}
	}
	if len(mails) != want || len(per) != want {
		t.Fatalf("%d mails for %d reminders, want %d", len(mails), len(per), want)
	}
	t.Logf("%d reminders, each created and mailed once by 2 instances running 3 times each per day", want)
}

// FUNDTRACKER_SMTP_URL's user and password sign in (AUTH PLAIN), over
// STARTTLS when the server offers it, and never in clear.
func TestReminderMailerSignsIn(t *testing.T) {
	// httptest's certificate for 127.0.0.1, and a pool that trusts it.
	ts := httptest.NewTLSServer(nil)
	cert, roots := ts.TLS.Certificates[0], ts.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	ts.Close()
	msg := models.Mail{To: "d@example.org", Subject: "s", Text: "t", HTML: "<p>t</p>", Language: "en", ID: "reminder-1"}
	send := func(k *sink, userinfo string) error {
		m, err := mailer.New("smtp://"+userinfo+"@"+k.addr, "funds@example.org")
		if err != nil {
			t.Fatal(err)
		}
		m.TLSConfig = &tls.Config{RootCAs: roots}
		return m.Send(context.Background(), msg)
	}

	k := newSink(t, &tls.Config{Certificates: []tls.Certificate{cert}})
	k.users = map[string]string{"fund-mailer": "s3cret:pass"}
	if err := send(k, "fund-mailer:s3cret%3Apass"); err != nil {
		t.Fatal(err)
	}
	if err := send(k, "fund-mailer:wrong"); err == nil {
		t.Fatal("sent with a wrong password")
	}
	if n := len(k.mails()); n != 1 || strings.Join(k.authed, ",") != "fund-mailer" {
		t.Fatalf("%d mails, signed in as %v", n, k.authed)
	}
	// A server without STARTTLS gets no password.
	clear := newSink(t)
	clear.users = map[string]string{"fund-mailer": "s3cret"}
	if err := send(clear, "fund-mailer:s3cret"); err == nil || len(clear.authed) != 0 {
		t.Fatalf("signed in over a clear connection: %v %v", err, clear.authed)
	}
}

// A donor's language is en, fr or ar: "" is none of them (outside check).
func TestDonorLanguageValues(t *testing.T) {
	e := newEnv(t)
	for _, bad := range []any{"", "de", "EN", 1} {
		e.do("POST", "/api/v1/donors", e.staff, map[string]any{"name": "X", "kind": "other", "language": bad}).fails(422, "validation_failed", "language")
	}
	d := e.do("POST", "/api/v1/donors", e.staff, map[string]any{"name": "Y", "kind": "other"}).status(201)
	eq(t, "default", d.body["language"], "en")
	e.do("PATCH", fmt.Sprintf("/api/v1/donors/%d", d.id()), e.staff, map[string]any{"language": ""}).fails(422, "validation_failed", "language")
	eq(t, "patched", e.do("PATCH", fmt.Sprintf("/api/v1/donors/%d", d.id()), e.staff, map[string]any{"language": "ar"}).status(200).body["language"], "ar")
}
