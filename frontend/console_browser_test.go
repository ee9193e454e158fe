//go:build browser

// Issue 14 in the browser: amounts typed as each language writes them, editing a donor's
// country, the duplicate warning then a merge with the dashboard unchanged, filters and
// totals equal to the API's, a user created and deactivated, the audit diff, a session
// recognised in a new tab, and screenshots of every screen in every language.
package frontend_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// typeInto sets a field's text and fires input, as typing does (SendKeys cannot type
// every space a French keyboard makes, such as U+202F).
func typeInto(t *testing.T, ctx context.Context, sel, value string) {
	t.Helper()
	js[bool](t, ctx, fmt.Sprintf(`(() => { const i = document.querySelector(%q); i.value = %q;
		i.dispatchEvent(new Event('input', {bubbles: true})); return true; })()`, sel, value))
}

// clickJS waits for an element and clicks it from the page (lists re-render while loading).
func clickJS(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	waitFor(t, ctx, fmt.Sprintf(`document.querySelector(%q)`, sel))
	js[bool](t, ctx, fmt.Sprintf(`(() => { document.querySelector(%q).click(); return true; })()`, sel))
}

func TestConsoleReadsAmountsAsEachLanguageWritesThem(t *testing.T) {
	cases := map[string][]struct{ typed, want string }{ // want "" = refused beside the field
		"en": {{"1,234.56", "1234.56"}, {"1234.56", "1234.56"}, {"1,000", "1000.00"}, {"1.000", ""}, {"1,23", ""},
			{"12.345", ""}, {"abc", ""}, {"1 234.5", "1234.50"}},
		"fr": {{"1 234,56", "1234.56"}, {"1\u202f234,56", "1234.56"}, {"1\u00a0234,56", "1234.56"}, {"1234.56", "1234.56"},
			{"1,000", ""}, {"1.000", ""}, {"250000", "250000.00"}, {"1,5", "1.50"}},
		"ar": {{"1.234,56", "1234.56"}, {"١٬٢٣٤٫٥٦", "1234.56"}, {"١٢٣٤٫٥", "1234.50"}, {"1.000", ""}, {"1234,5", "1234.50"},
			{"1,000", ""}},
	}
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			ctx := tab(t, desktop)
			signIn(t, ctx, lang)
			showTab(t, ctx, "pledges")
			fill(t, ctx, map[string]string{"#pledge-currency": "EUR"})
			for i, c := range cases[lang] {
				typeInto(t, ctx, "#pledge-amount", c.typed)
				waitFor(t, ctx, `['ready', 'stale', 'refused', 'error'].includes(document.querySelector('#pledge-quote').dataset.state)
					&& !document.querySelector('#pledge-quote').dataset.pending`)
				// Wait for this input's answer: the preview names the amount, or the field is refused.
				cond := `document.querySelector('#pledge-amount-error') ? 'refused' : (document.querySelector('#pledge-quote').dataset.amount ?? '')`
				if c.want == "" {
					waitFor(t, ctx, `document.querySelector('#pledge-amount-error')`)
				} else {
					waitFor(t, ctx, fmt.Sprintf(`document.querySelector('#pledge-quote').dataset.amount === %q && !document.querySelector('#pledge-amount-error')`, c.want))
					if q := text(t, ctx, "#pledge-quote"); !strings.Contains(q, c.want+" EUR") || !strings.Contains(q, "US") {
						t.Errorf("%s %q: the preview %q does not show %s EUR in full and its USD value", lang, c.typed, q, c.want)
					}
				}
				if i == 0 {
					screenshot(t, ctx, "console-amount-"+lang)
				}
				got := js[string](t, ctx, cond)
				if (c.want == "" && got != "refused") || (c.want != "" && got != c.want) {
					t.Errorf("%s %q: read as %q, want %q", lang, c.typed, got, c.want)
				}
				// Clear, so that the next case starts from an empty preview.
				typeInto(t, ctx, "#pledge-amount", "")
				waitFor(t, ctx, `!document.querySelector('#pledge-amount-error') && document.querySelector('#pledge-quote').dataset.state === 'empty'`)
				js[bool](t, ctx, `(() => { delete document.querySelector('#pledge-quote').dataset.amount; return true; })()`)
			}
			// A refused amount is never sent: submitting says so beside the field.
			typeInto(t, ctx, "#pledge-amount", "1.000")
			waitFor(t, ctx, `document.querySelector('#pledge-amount-error')`)
			submit(t, ctx, "#pledge-form")
			waitFor(t, ctx, `document.querySelector('#pledge-amount-error') && document.querySelector('#pledge-form .form-error').textContent.trim()`)
			screenshot(t, ctx, "console-amount-refused-"+lang)
		})
	}
}

func TestConsoleDonorCountryDuplicateAndMerge(t *testing.T) {
	api := staffClient(t)
	stamp := time.Now().UTC().Format("150405.000")
	ctx := tab(t, desktop)
	signIn(t, ctx, "fr")
	showTab(t, ctx, "donors")

	// A donor whose country is chosen by its French name.
	name := "Fondation Léman " + stamp
	fill(t, ctx, map[string]string{"#donor-name": name, "#donor-kind": "foundation"})
	if label := js[string](t, ctx, `[...document.querySelector('#donor-country').options].find(o => o.value === 'CH').textContent`); label != "Suisse" {
		t.Errorf("CH is listed as %q in French, want Suisse", label)
	}
	fill(t, ctx, map[string]string{"#donor-country": "CH"})
	submit(t, ctx, "#donor-form")
	waitSaved(t, ctx, "#donor-form")

	// The same name (other case, accents and spaces) is a duplicate: 409, "use the existing donor".
	fill(t, ctx, map[string]string{"#donor-name": "fondation  leman " + stamp, "#donor-kind": "foundation", "#donor-country": "CH"})
	submit(t, ctx, "#donor-form")
	waitFor(t, ctx, `!document.querySelector('#donor-use-existing').hidden`)
	screenshot(t, ctx, "console-duplicate-fr")
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#donor-use-existing"))))
	waitFor(t, ctx, `document.querySelector('#pledge-donor').value !== ''`)
	var donors list
	api.do(t, http.MethodGet, "/donors?limit=1000&q="+strings.ReplaceAll("Léman "+stamp, " ", "%20"), nil, &donors)
	if len(donors.Items) != 1 {
		t.Fatalf("after the duplicate warning there are %d donors named %q", len(donors.Items), name)
	}
	original := donors.Items[0].ID
	if got := js[string](t, ctx, `document.querySelector('#pledge-donor').value`); got != fmt.Sprint(original) {
		t.Errorf("use the existing donor chose %s in the pledge form, want %d", got, original)
	}
	// Recorded anyway, then merged back into the original: the dashboard does not move.
	fill(t, ctx, map[string]string{"#donor-name": "FONDATION LÉMAN " + stamp, "#donor-kind": "foundation", "#donor-country": "CH"})
	submit(t, ctx, "#donor-form")
	waitFor(t, ctx, `!document.querySelector('#donor-record-anyway').hidden`)
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#donor-record-anyway"))))
	waitSaved(t, ctx, "#donor-form")
	api.do(t, http.MethodGet, "/donors?limit=1000&q="+strings.ReplaceAll("Léman "+stamp, " ", "%20"), nil, &donors)
	if len(donors.Items) != 2 {
		t.Fatalf("record anyway: %d donors, want 2", len(donors.Items))
	}
	twin := donors.Items[0].ID // newest first
	var fund record
	api.do(t, http.MethodGet, "/funds/"+fundCode, nil, &fund)
	var c record
	api.do(t, http.MethodPost, "/contributions", map[string]any{"fund_id": fund.ID, "donor_id": original, "amount": "1000.00", "currency": "USD",
		"received_on": time.Now().UTC().Format("2006-01-02")}, &c)
	api.do(t, http.MethodPost, "/contributions", map[string]any{"fund_id": fund.ID, "donor_id": twin, "amount": "500.00", "currency": "USD",
		"received_on": time.Now().UTC().Format("2006-01-02")}, &c)
	var before progress
	api.do(t, http.MethodGet, "/funds/"+fundCode+"/progress", nil, &before)

	// Editing the twin's country: chosen from the list by name.
	must(t, chromedp.Do(ctx, chromedp.Navigate(baseURL+"/staff?lang=fr#donors")))
	waitFor(t, ctx, `document.body.dataset.state === 'ready' && document.querySelector('[data-list="donors"]').dataset.state === 'ready'`)
	clickJS(t, ctx, fmt.Sprintf(`[data-list="donors"] tr[data-id="%d"] button[data-action="edit"]`, twin))
	waitFor(t, ctx, fmt.Sprintf(`document.querySelector('#donor-form').dataset.editing === '%d'`, twin))
	fill(t, ctx, map[string]string{"#donor-country": "FR"})
	submit(t, ctx, "#donor-form")
	waitSaved(t, ctx, "#donor-form")
	var edited struct {
		CountryCode string `json:"country_code"`
	}
	api.do(t, http.MethodGet, fmt.Sprintf("/donors/%d", twin), nil, &edited)
	if edited.CountryCode != "FR" {
		t.Errorf("edited country is %q, want FR", edited.CountryCode)
	}

	clickJS(t, ctx, fmt.Sprintf(`[data-list="donors"] tr[data-id="%d"] button[data-action="merge"]`, twin))
	waitFor(t, ctx, `document.querySelector('#reason-dialog').open && !document.querySelector('#merge-into-field').hidden`)
	fill(t, ctx, map[string]string{"#merge-into": fmt.Sprint(original)})
	must(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#reason-input"), "Saisi deux fois")))
	screenshot(t, ctx, "console-merge-fr")
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#reason-confirm"))))
	waitFor(t, ctx, `!document.querySelector('#reason-dialog').open && document.querySelector('#status').textContent.includes('fusionné')`)
	var after progress
	api.do(t, http.MethodGet, "/funds/"+fundCode+"/progress", nil, &after)
	if after.Paid != before.Paid || after.Pledged != before.Pledged || after.DonorCount != before.DonorCount-1 {
		t.Errorf("after the merge: paid %s pledged %s donors %d; before: %s %s %d (want the same money, one donor less)",
			after.Paid, after.Pledged, after.DonorCount, before.Paid, before.Pledged, before.DonorCount)
	}
	open(t, ctx, "/funds/"+fundCode+"?lang=fr")
	if shown := text(t, ctx, "#fig-paid"); digits(shown) != digits(before.Paid) {
		t.Errorf("the dashboard shows paid %q after the merge, %s before", shown, before.Paid)
	}
	if shown := text(t, ctx, "#fig-donor-count"); digits(shown) != fmt.Sprint(after.DonorCount) {
		t.Errorf("the dashboard shows %q donors, the API %d", shown, after.DonorCount)
	}
}

func TestConsoleFiltersAndTotalsEqualTheAPI(t *testing.T) {
	api := staffClient(t)
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			ctx := tab(t, desktop)
			signIn(t, ctx, lang)
			for _, c := range []struct {
				list   string
				fields map[string]string
				query  string
			}{
				{"contributions", map[string]string{"#filter-currency": "EUR"}, "currency=EUR&voided=exclude"},
				{"contributions", map[string]string{"#filter-voided": "include", "#filter-from": "2024-01-01", "#filter-to": "2025-12-31"}, "currency=EUR&voided=include&from=2024-01-01&to=2025-12-31"},
				{"pledges", map[string]string{"#filter-status": "partially_paid"}, "currency=EUR&status=partially_paid&from=2024-01-01&to=2025-12-31"},
			} {
				showTab(t, ctx, c.list)
				for sel, v := range c.fields {
					if strings.HasPrefix(sel, "#filter-currency") {
						js[bool](t, ctx, fmt.Sprintf(`(() => { const i = document.querySelector(%q); i.value = %q;
							i.closest('form').dispatchEvent(new Event('change', {bubbles: true})); return true; })()`, sel, v))
					} else {
						fill(t, ctx, map[string]string{sel: v})
					}
				}
				var want struct {
					Items  []record `json:"items"`
					Totals struct {
						Count     int64  `json:"count"`
						AmountUSD string `json:"amount_usd"`
					} `json:"totals"`
				}
				api.do(t, http.MethodGet, "/"+c.list+"?totals=1&limit=25&"+c.query, nil, &want)
				waitFor(t, ctx, fmt.Sprintf(`document.querySelector('[data-totals=%q]').dataset.usd === %q
					&& document.querySelector('[data-list=%q]').dataset.state === 'ready'
					&& %q.split('&').every(p => document.querySelector('[data-list=%q]').dataset.query.split('&').includes(p))`,
					c.list, want.Totals.AmountUSD, c.list, c.query, c.list))
				if n := js[int](t, ctx, fmt.Sprintf(`document.querySelectorAll('[data-list=%q] tbody tr').length`, c.list)); n != len(want.Items) {
					t.Errorf("%s %s: %d rows shown, the API lists %d", lang, c.query, n, len(want.Items))
				}
				shown := text(t, ctx, fmt.Sprintf(`[data-totals=%q]`, c.list))
				if !strings.Contains(digits(shown), digits(want.Totals.AmountUSD)) {
					t.Errorf("%s %s: totals %q, the API says %s", lang, c.query, shown, want.Totals.AmountUSD)
				}
			}
			screenshot(t, ctx, "console-filters-totals-"+lang)
			// The CSV link carries bom=1 and leaves voided rows out unless chosen.
			showTab(t, ctx, "contributions")
			fill(t, ctx, map[string]string{"#filter-voided": "exclude"})
			href := js[string](t, ctx, `document.querySelector('#export-contributions').getAttribute('href')`)
			if !strings.Contains(href, "bom=1") || !strings.Contains(href, "voided=exclude") {
				t.Errorf("contributions CSV link %q, want bom=1 and voided=exclude", href)
			}
		})
	}
}

func TestConsoleUsersAuditAndNewTab(t *testing.T) {
	api := staffClient(t)
	stamp := strings.ReplaceAll(time.Now().UTC().Format("150405.000"), ".", "")
	email := "officer" + stamp + "@example.org"
	ctx := tab(t, desktop)
	signIn(t, ctx, "en")

	// A valid session is recognised in a new tab.
	other := tab(t, desktop)
	open(t, other, "/staff?lang=en")
	waitFor(t, other, `!document.querySelector('#console').hidden && document.body.dataset.state === 'ready'`)

	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-tab="users"]`))))
	waitFor(t, ctx, `document.querySelector('#tab-users table')`)
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#tab-users p > button`))))
	waitFor(t, ctx, `document.querySelector('#edit-dialog').open`)
	fill(t, ctx, map[string]string{"#edit-email": email, "#edit-password": "a long enough password 14"})
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#edit-save"))))
	waitFor(t, ctx, fmt.Sprintf(`document.querySelector('#tab-users tr[data-email=%q]')`, email))
	if s := text(t, ctx, "#status"); !strings.Contains(s, email) {
		t.Errorf("the message after creating a user says %q", s)
	}
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`#tab-users tr[data-email=%q] .row-actions button`, email)))))
	waitFor(t, ctx, fmt.Sprintf(`document.querySelector('#status').textContent.includes(%q) && document.querySelector('#status').textContent.includes('deactivated')`, email))
	var users struct {
		Items []struct {
			ID     int64  `json:"id"`
			Email  string `json:"email"`
			Active bool   `json:"active"`
		} `json:"items"`
	}
	api.do(t, http.MethodGet, "/users?limit=1000", nil, &users)
	var id int64
	for _, u := range users.Items {
		if u.Email == email {
			id = u.ID
			if u.Active {
				t.Errorf("%s is still active after deactivation", email)
			}
		}
	}
	if id == 0 {
		t.Fatalf("%s was not created", email)
	}
	screenshot(t, ctx, "console-users-en")
	// The message clears when the tab changes.
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-tab="audit"]`))))
	waitFor(t, ctx, `document.querySelector('#status').textContent === '' && document.querySelector('#audit-filters')`)
	fill(t, ctx, map[string]string{"#audit-entity": "user"})
	waitFor(t, ctx, `document.querySelector('#audit-filters')`)
	js[bool](t, ctx, fmt.Sprintf(`(() => { const i = document.querySelector('#audit-entity_id'); i.value = '%d';
		i.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`, id))
	waitFor(t, ctx, fmt.Sprintf(`[...document.querySelectorAll('.audit-event')].length > 0
		&& [...document.querySelectorAll('.audit-event')].every(a => a.dataset.entityId === '%d')`, id))
	if got := js[string](t, ctx, `[...document.querySelectorAll('.audit-event')].map(a => a.dataset.action).join(' ')`); got != "update create" {
		t.Errorf("the audit trail of the user shows %q, want its update then its creation", got)
	}
	if js[string](t, ctx, `document.querySelector('.audit-event[data-action="update"] tr[data-field="active"]')?.dataset.changed`) != "true" {
		t.Error("the deactivation's diff does not mark active as changed")
	}
	if js[string](t, ctx, `document.querySelector('.audit-event[data-action="update"] tr[data-field="email"]')?.dataset.changed ?? 'absent'`) == "true" {
		t.Error("the unchanged e-mail is marked changed in the deactivation's diff")
	}
	screenshot(t, ctx, "console-audit-diff-en")
}

// Every screen of the console in every language at desktop and phone width.
func TestConsoleScreenshots(t *testing.T) {
	for _, width := range []int{desktop, phone} {
		for _, lang := range languages {
			ctx := tab(t, width)
			signIn(t, ctx, lang)
			for _, screen := range []string{"pledges", "contributions", "donors", "rates", "exports", "imports", "funds", "users", "audit"} {
				must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-tab=%q]`, screen)))))
				switch screen {
				case "pledges", "contributions", "donors", "rates":
					waitFor(t, ctx, fmt.Sprintf(`document.querySelector('[data-list=%q]').dataset.state === 'ready'`, screen))
				case "funds", "users":
					waitFor(t, ctx, fmt.Sprintf(`document.querySelector('#tab-%s table')`, screen))
				case "audit":
					waitFor(t, ctx, `document.querySelector('#tab-audit .audit-list')?.children.length > 0`)
				case "imports":
					waitFor(t, ctx, `document.querySelector('#import-history').dataset.state === 'ready'`)
				}
				if w := js[int](t, ctx, `document.documentElement.scrollWidth`); width == phone && w > phone {
					t.Errorf("%s %s at %d px is %d px wide", lang, screen, phone, w)
				}
				screenshot(t, ctx, fmt.Sprintf("console-%s-%s-%d", screen, lang, width))
			}
		}
	}
	open(t, tab(t, desktop), "/funds/"+fundCode+"?lang=en")
}
