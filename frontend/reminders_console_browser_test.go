//go:build browser

// Issue 11, the console's loose ends: a donor's language (the language of its reminders)
// chosen when the donor is recorded and when it is edited, shown in the donors list, each
// language named in its own language; the reminders outbox says whether mail is set up as
// soon as it is shown (the list's "mail"), and without mail marks pending reminders to be
// sent by hand, with no "Run" pressed in the console.
package frontend_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fundtracker/fundtracker/frontend"
)

type donorWithLanguage struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Language     string `json:"language"`
	ContactEmail string `json:"contact_email"`
}

// donorNamed is the one donor the API finds by name.
func donorNamed(t *testing.T, api *apiClient, name string) donorWithLanguage {
	t.Helper()
	var found struct {
		Items []donorWithLanguage `json:"items"`
	}
	api.do(t, http.MethodGet, "/donors?limit=1000&q="+url.QueryEscape(name), nil, &found)
	if len(found.Items) != 1 {
		t.Fatalf("%d donors named %q, want 1", len(found.Items), name)
	}
	return found.Items[0]
}

// donorCell waits (the list is refreshed after a save) until a donor's cell in the column
// headed label of the donors list reads want, and answers what it reads.
func donorCell(t *testing.T, ctx context.Context, id int64, label, want string) string {
	t.Helper()
	read := fmt.Sprintf(`(() => { const table = document.querySelector('[data-list="donors"] table');
		const i = table ? [...table.querySelectorAll('thead th')].findIndex((th) => th.textContent.trim() === %q) : -1;
		const row = table?.querySelector('tbody tr[data-id="%d"]');
		return i < 0 || !row ? '' : row.children[i].textContent.trim(); })()`, label, id)
	got := ""
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if got = js[string](t, ctx, read); got == want {
			break
		}
	}
	return got
}

func TestConsoleDonorLanguage(t *testing.T) {
	api := staffClient(t)
	ar, err := frontend.Dictionary("ar")
	must(t, err)
	stamp := time.Now().UTC().Format("150405.000")
	ctx := tab(t, desktop)
	signIn(t, ctx, "ar")
	showTab(t, ctx, "donors")

	// The field is labelled in the console's language; each language is named in its own,
	// whatever the console's language, and marked as such for screen readers.
	if label := text(t, ctx, `label[for="donor-language"]`); label != ar["staff.field.language"] {
		t.Errorf("the language field is labelled %q in Arabic, want %q", label, ar["staff.field.language"])
	}
	type option struct{ Value, Lang, Text string }
	options := js[[]option](t, ctx, `[...document.querySelector('#donor-language').options].map((o) => ({Value: o.value, Lang: o.lang, Text: o.textContent.trim()}))`)
	want := []option{{"en", "en", "English"}, {"fr", "fr", "Français"}, {"ar", "ar", "العربية"}}
	if fmt.Sprint(options) != fmt.Sprint(want) {
		t.Errorf("language options %v, want %v", options, want)
	}
	if v := js[string](t, ctx, `document.querySelector('#donor-language').value`); v != "en" {
		t.Errorf("a new donor's language is %q before any choice, want en", v)
	}

	// Recorded in French.
	name := "Partenaire francophone " + stamp
	fill(t, ctx, map[string]string{"#donor-name": name, "#donor-kind": "foundation", "#donor-email": "francophone@example.org", "#donor-language": "fr"})
	submit(t, ctx, "#donor-form")
	waitSaved(t, ctx, "#donor-form")
	d := donorNamed(t, api, name)
	if d.Language != "fr" || d.ContactEmail != "francophone@example.org" {
		t.Errorf("recorded donor: language %q, contact %q; want fr, francophone@example.org", d.Language, d.ContactEmail)
	}
	if cell := donorCell(t, ctx, d.ID, ar["staff.field.language"], "Français"); cell != "Français" {
		t.Errorf("the donors list shows language %q, want Français", cell)
	}
	// After saving, the form is back to the default.
	if v := js[string](t, ctx, `document.querySelector('#donor-language').value`); v != "en" {
		t.Errorf("after saving, the form's language is %q, want en", v)
	}

	// Edited: the form shows the donor's language, then saves the one chosen.
	clickJS(t, ctx, fmt.Sprintf(`[data-list="donors"] tr[data-id="%d"] button[data-action="edit"]`, d.ID))
	waitFor(t, ctx, fmt.Sprintf(`document.querySelector('#donor-form').dataset.editing === '%d'`, d.ID))
	if v := js[string](t, ctx, `document.querySelector('#donor-language').value`); v != "fr" {
		t.Errorf("editing a French donor, the form shows language %q", v)
	}
	fill(t, ctx, map[string]string{"#donor-language": "ar"})
	screenshot(t, ctx, "console-donor-language-ar")
	submit(t, ctx, "#donor-form")
	waitSaved(t, ctx, "#donor-form")
	if got := donorNamed(t, api, name); got.Language != "ar" || got.ContactEmail != "francophone@example.org" {
		t.Errorf("edited donor: language %q, contact %q; want ar and the address unchanged", got.Language, got.ContactEmail)
	}
	if cell := donorCell(t, ctx, d.ID, ar["staff.field.language"], "العربية"); cell != "العربية" {
		t.Errorf("after the edit the donors list shows language %q, want العربية", cell)
	}

	// A donor recorded without a choice is written to in English.
	plain := "Default language partner " + stamp
	fill(t, ctx, map[string]string{"#donor-name": plain, "#donor-kind": "ngo"})
	submit(t, ctx, "#donor-form")
	waitSaved(t, ctx, "#donor-form")
	if got := donorNamed(t, api, plain); got.Language != "en" {
		t.Errorf("a donor recorded without a language has %q, want en", got.Language)
	}
}

// overduePledge records a donor of the test (name and reference stamped, an address, a
// language) and a USD pledge of it that fell due daysAgo: a reminder run gives it a pending
// overdue reminder. It answers the pledge and the stamp.
func overduePledge(t *testing.T, api *apiClient, fund int64, name, lang, amount, ref string, daysAgo int) (scheduledPledge, string) {
	t.Helper()
	stamp := time.Now().UTC().Format("150405.000")
	var donor record
	api.do(t, http.MethodPost, "/donors", map[string]any{"name": name + " " + stamp, "kind": "government", "language": lang,
		"contact_email": lang + "-" + strings.ReplaceAll(stamp, ".", "") + "@example.org"}, &donor)
	now := time.Now().UTC()
	var p scheduledPledge
	api.do(t, http.MethodPost, "/pledges", map[string]any{"fund_id": fund, "donor_id": donor.ID, "amount": amount, "currency": "USD",
		"pledged_on": now.AddDate(0, 0, -60).Format("2006-01-02"), "reference": ref + "-" + stamp,
		"due_on": now.AddDate(0, 0, -daysAgo).Format("2006-01-02")}, &p)
	return p, stamp
}

// The suite's server has no mail server (and no scheduler): the list says "mail": false, and
// the outbox, as soon as it is shown, says so and marks pending reminders to be sent by hand
// (the address a mailto: link), others not; the seeded demo (a reminder policy, donors with
// addresses in French and Arabic) has pending reminders after a run.
func TestConsoleRemindersToBeSentByHand(t *testing.T) {
	api := staffClient(t)
	fr, err := frontend.Dictionary("fr")
	must(t, err)
	var page struct {
		Mail *bool `json:"mail"`
	}
	api.do(t, http.MethodGet, "/reminders?limit=1", nil, &page)
	if page.Mail == nil || *page.Mail {
		t.Fatalf("the suite's server answers mail %v in the reminders list, want false", page.Mail)
	}
	var fund struct {
		ID             int64           `json:"id"`
		ReminderPolicy *map[string]int `json:"reminder_policy"`
	}
	api.do(t, http.MethodGet, "/funds/"+fundCode, nil, &fund)
	if fund.ReminderPolicy == nil {
		t.Fatalf("the seeded fund has no reminder policy")
	}
	// A donor of this test, in Arabic, with an instalment overdue; the run is the API's, not
	// the console's: the console must know without it.
	p, _ := overduePledge(t, api, fund.ID, "Arabic-speaking partner", "ar", "9000.00", "BYHAND", 5)
	var run struct {
		Mail bool `json:"mail"`
	}
	api.do(t, http.MethodPost, "/reminders/run", nil, &run)
	if run.Mail {
		t.Errorf("the run answers mail true on the suite's server")
	}

	type reminder struct {
		ID       int64  `json:"id"`
		PledgeID int64  `json:"pledge_id"`
		To       string `json:"to"`
		Language string `json:"language"`
		Status   string `json:"status"`
	}
	var all struct {
		Items []reminder `json:"items"`
	}
	api.do(t, http.MethodGet, "/reminders?limit=200", nil, &all)
	// The seeded donors written to in English, French and Arabic (seed/seed.go).
	seededTo := map[string]string{"partnerships.nordic@example.org": "en", "contact@sahel-network.example.org": "fr",
		"finance@atlas-council.example.org": "ar"}
	seeded := map[string]bool{}
	var mine *reminder
	for i, r := range all.Items {
		if r.PledgeID == p.ID {
			mine = &all.Items[i]
		}
		if r.Status == "pending" && seededTo[r.To] != "" && seededTo[r.To] == r.Language {
			seeded[r.Language] = true
		}
	}
	if mine == nil || mine.Status != "pending" || mine.Language != "ar" {
		t.Fatalf("the reminder of the overdue pledge %d: %+v", p.ID, mine)
	}
	if !seeded["en"] || !seeded["fr"] || !seeded["ar"] {
		t.Errorf("pending reminders of the seeded donors, by language: %v (want en, fr and ar)", seeded)
	}

	ctx := tab(t, desktop)
	signIn(t, ctx, "fr")
	clickJS(t, ctx, `[data-tab="reminders"]`)
	waitFor(t, ctx, `document.querySelector('#reminders')?.dataset.state === 'ready'`)
	if got := js[string](t, ctx, `document.querySelector('#reminders-mail')?.dataset.mail ?? ''`); got != "false" {
		t.Errorf("the outbox's mail note says mail %q, want false", got)
	}
	if got := text(t, ctx, "#reminders-mail"); got != fr["inst.reminders.mail_off"] {
		t.Errorf("the outbox says %q, want %q", got, fr["inst.reminders.mail_off"])
	}
	if n := js[int](t, ctx, `document.querySelectorAll('#reminders tbody tr').length`); n != len(all.Items) {
		t.Errorf("the outbox shows %d reminders, the API %d", n, len(all.Items))
	}
	for _, r := range all.Items {
		row := fmt.Sprintf(`#reminders tr[data-id="%d"]`, r.ID)
		byHand := js[bool](t, ctx, fmt.Sprintf(`Boolean(document.querySelector('%s .by-hand'))`, row))
		link := js[bool](t, ctx, fmt.Sprintf(`Boolean(document.querySelector('%s a[href^="mailto:"]'))`, row))
		if pending := r.Status == "pending"; byHand != pending || link != (pending && r.To != "") {
			t.Errorf("reminder %d (%s, to %q): marked by hand %v, mailto link %v", r.ID, r.Status, r.To, byHand, link)
		}
	}
	row := fmt.Sprintf(`#reminders tr[data-id="%d"]`, mine.ID)
	if got := js[string](t, ctx, fmt.Sprintf(`document.querySelector('%s .by-hand')?.textContent ?? ''`, row)); got != fr["inst.reminders.by_hand"] {
		t.Errorf("the pending reminder says %q, want %q", got, fr["inst.reminders.by_hand"])
	}
	if got := js[string](t, ctx, fmt.Sprintf(`[...document.querySelectorAll('%s td[lang="ar"]')].map((td) => td.textContent).join()`, row)); got != "العربية" {
		t.Errorf("the reminder's language cell shows %q, want العربية (lang ar)", got)
	}
	screenshot(t, ctx, "instalments-reminders-by-hand-fr")
}

// Without a mail server, a pending reminder's Preview shows its message in the donor's
// language (the API's, the mailer's own text) with a mailto: link carrying subject and body,
// percent-encoded; "Mark as sent by hand" records it sent, shows so in the row, and the API
// answers it sent. A body too long for a mail link is shortened at a word and says so.
func TestConsoleReminderPreviewAndSentByHand(t *testing.T) {
	api := staffClient(t)
	fr, err := frontend.Dictionary("fr")
	must(t, err)
	var fund struct {
		ID int64 `json:"id"`
	}
	api.do(t, http.MethodGet, "/funds/"+fundCode, nil, &fund)
	p, stamp := overduePledge(t, api, fund.ID, "Partenaire relancé", "fr", "1234567.50", "HAND", 3)
	var run map[string]any
	api.do(t, http.MethodPost, "/reminders/run", nil, &run)
	type reminder struct {
		ID       int64   `json:"id"`
		PledgeID int64   `json:"pledge_id"`
		Status   string  `json:"status"`
		SentAt   *string `json:"sent_at"`
	}
	var all struct {
		Items []reminder `json:"items"`
	}
	api.do(t, http.MethodGet, "/reminders?status=pending&limit=200", nil, &all)
	var id int64
	for _, r := range all.Items {
		if r.PledgeID == p.ID {
			id = r.ID
		}
	}
	if id == 0 {
		t.Fatalf("no pending reminder of pledge %d", p.ID)
	}
	var msg struct{ To, Language, Subject, Text, HTML string }
	api.do(t, http.MethodGet, fmt.Sprintf("/reminders/%d/message", id), nil, &msg)
	if msg.Language != "fr" || !strings.Contains(msg.Subject, "Relance pour retard de paiement : 1\u202f234\u202f567,50\u00a0USD") ||
		!strings.Contains(msg.Text, "annonce de contribution HAND-"+stamp) {
		t.Fatalf("the message: %+v", msg)
	}

	ctx := tab(t, desktop)
	signIn(t, ctx, "fr")
	clickJS(t, ctx, `[data-tab="reminders"]`)
	waitFor(t, ctx, `document.querySelector('#reminders')?.dataset.state === 'ready'`)
	row := fmt.Sprintf(`#reminders tr[data-id="%d"]`, id)
	if got := text(t, ctx, row+` button[data-action="preview"]`); got != fr["inst.reminders.preview"] {
		t.Errorf("the preview button reads %q, want %q", got, fr["inst.reminders.preview"])
	}
	clickJS(t, ctx, row+` button[data-action="preview"]`)
	panel := fmt.Sprintf(`#reminders tr.reminder-preview[data-reminder="%d"]`, id)
	waitFor(t, ctx, fmt.Sprintf(`Boolean(document.querySelector('%s .mail-link'))`, panel))
	if got := js[string](t, ctx, fmt.Sprintf(`document.querySelector('%s .message-subject').textContent`, panel)); got != msg.Subject {
		t.Errorf("the preview's subject %q, want %q", got, msg.Subject)
	}
	if got := js[string](t, ctx, fmt.Sprintf(`document.querySelector('%s .message-text').textContent`, panel)); got != msg.Text {
		t.Errorf("the preview's text %q, want %q", got, msg.Text)
	}
	href := js[string](t, ctx, fmt.Sprintf(`document.querySelector('%s .mail-link').href`, panel))
	u, err := url.Parse(href)
	must(t, err)
	if u.Scheme != "mailto" || u.Opaque != msg.To {
		t.Errorf("the mail link %q is not to %s", href, msg.To)
	}
	if strings.ContainsAny(u.RawQuery, " \n\u202f") || !strings.Contains(u.RawQuery, "%20") {
		t.Errorf("the mail link's query is not percent-encoded: %q", u.RawQuery)
	}
	q, err := url.ParseQuery(strings.ReplaceAll(u.RawQuery, "+", "%2B"))
	must(t, err)
	if q.Get("subject") != msg.Subject || q.Get("body") != strings.ReplaceAll(msg.Text, "\n", "\r\n") {
		t.Errorf("the mail link carries subject %q and body %q, want the message's", q.Get("subject"), q.Get("body"))
	}
	screenshot(t, ctx, "reminders-preview-fr")

	// A body too long for a mail link is cut at a word, within the limit, and says so.
	type cut struct {
		Href      string
		Truncated bool
	}
	long := js[cut](t, ctx, fmt.Sprintf(`import(%q).then((m) => m.mailtoLink('a@example.org', 'Objet', 'relance '.repeat(600) + 'fin', 1800))`,
		frontend.AssetURL("js/instalments.js")))
	if !long.Truncated || len(long.Href) > 1800 || !strings.HasSuffix(long.Href, "relance%20%E2%80%A6") {
		t.Errorf("a long body's link: truncated %v, %d characters, ends %q", long.Truncated, len(long.Href), long.Href[max(0, len(long.Href)-30):])
	}

	// Marked sent by hand: the row says so at once, and the API answers it sent.
	if got := text(t, ctx, row+` button[data-action="sent-by-hand"]`); got != fr["inst.reminders.mark_sent"] {
		t.Errorf("the mark button reads %q, want %q", got, fr["inst.reminders.mark_sent"])
	}
	clickJS(t, ctx, row+` button[data-action="sent-by-hand"]`)
	waitFor(t, ctx, fmt.Sprintf(`document.querySelector('%s')?.dataset.status === 'sent'`, row))
	want := strings.ReplaceAll(fr["inst.reminders.marked"], "{id}", "\u2068"+fmt.Sprint(id)+"\u2069") // placeholders isolated
	if got := text(t, ctx, row+` [data-result="marked"]`); got != want {
		t.Errorf("the row says %q, want %q", got, want)
	}
	if n := js[int](t, ctx, fmt.Sprintf(`document.querySelectorAll('%s button, %s').length`, row, panel)); n != 0 {
		t.Errorf("after marking, %d buttons or previews are left on the row", n)
	}
	var after reminder
	var sent struct {
		Items []reminder `json:"items"`
	}
	api.do(t, http.MethodGet, "/reminders?status=sent&limit=200", nil, &sent)
	for _, r := range sent.Items {
		if r.ID == id {
			after = r
		}
	}
	if after.Status != "sent" || after.SentAt == nil {
		t.Errorf("the API answers the reminder %+v, want sent", after)
	}
	screenshot(t, ctx, "reminders-sent-by-hand-fr")
}
