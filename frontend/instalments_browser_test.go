//go:build browser

// Issue 11 in the console: a pledge recorded with a generated schedule (after explicit rows
// refused beside their fields), its instalments with their status, part written off, then
// rescheduled to amount − written off; the ageing list and the cash forecast (tables and
// charts) equal to the API's; the reminders outbox; the Arabic console right to left with
// its labels translated; a viewer reads instalments without any control that writes.
package frontend_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fundtracker/fundtracker/frontend"
)

type instalment struct {
	Seq         int    `json:"seq"`
	DueOn       string `json:"due_on"`
	Amount      string `json:"amount"`
	Paid        string `json:"paid"`
	WrittenOff  string `json:"written_off"`
	Outstanding string `json:"outstanding"`
	Status      string `json:"status"`
}

type scheduledPledge struct {
	ID          int64        `json:"id"`
	Amount      string       `json:"amount"`
	Status      string       `json:"status"`
	WrittenOff  string       `json:"written_off"`
	NextDueOn   *string      `json:"next_due_on"`
	Reference   string       `json:"reference"`
	Instalments []instalment `json:"instalments"`
}

// instalmentRows reads the instalments the dialog shows: seq, status and the texts of the cells.
func instalmentRows(t *testing.T, ctx context.Context) []struct {
	Seq    string `json:"seq"`
	Status string `json:"status"`
} {
	return js[[]struct {
		Seq    string `json:"seq"`
		Status string `json:"status"`
	}](t, ctx, `[...document.querySelectorAll('#instalments-dialog tbody tr')].map((r) => ({seq: r.dataset.seq, status: r.dataset.status}))`)
}

func checkInstalmentsShown(t *testing.T, ctx context.Context, p scheduledPledge) {
	t.Helper()
	waitFor(t, ctx, fmt.Sprintf(`document.querySelector('#instalments-dialog')?.open && document.querySelector('#instalments-dialog').dataset.pledge === '%d'
		&& document.querySelectorAll('#instalments-dialog tbody tr').length === %d`, p.ID, len(p.Instalments)))
	rows := instalmentRows(t, ctx)
	for i, in := range p.Instalments {
		if rows[i].Seq != fmt.Sprint(in.Seq) || rows[i].Status != in.Status {
			t.Errorf("instalment row %d shows seq %s status %s; the API: seq %d status %s", i, rows[i].Seq, rows[i].Status, in.Seq, in.Status)
		}
	}
}

func TestConsoleInstalmentsScheduleWriteOffReschedule(t *testing.T) {
	api := staffClient(t)
	var fund record
	api.do(t, http.MethodGet, "/funds/"+fundCode, nil, &fund)
	stamp := time.Now().UTC().Format("150405.000")
	var donor record
	api.do(t, http.MethodPost, "/donors", map[string]any{"name": "Instalment partner " + stamp, "kind": "foundation"}, &donor)
	now := time.Now().UTC()
	pledgedOn := now.AddDate(0, 0, -150).Format("2006-01-02")
	firstDue := now.AddDate(0, 0, -120).Format("2006-01-02")
	ref := "INST-" + stamp

	ctx := tab(t, desktop)
	signIn(t, ctx, "en")
	showTab(t, ctx, "pledges")
	fill(t, ctx, map[string]string{"#pledge-fund": fmt.Sprint(fund.ID), "#pledge-donor": fmt.Sprint(donor.ID), "#pledge-amount": "90000.00",
		"#pledge-currency": "USD", "#pledge-pledged-on": pledgedOn, "#pledge-reference": ref})

	// Explicit rows: the running sum against the amount, then a row out of order refused by
	// the API beside its field.
	clickJS(t, ctx, `#pledge-form input[name="schedule_mode"][value="rows"]`)
	waitFor(t, ctx, `document.querySelectorAll('#schedule-rows .schedule-row').length === 2 && document.querySelector('#pledge-due-on-field').hidden`)
	fill(t, ctx, map[string]string{"#pledge-schedule-0-due_on": now.AddDate(0, 0, 30).Format("2006-01-02"), "#pledge-schedule-0-amount": "30000",
		"#pledge-schedule-1-due_on": now.AddDate(0, 0, 10).Format("2006-01-02"), "#pledge-schedule-1-amount": "20000"})
	waitFor(t, ctx, `document.querySelector('#schedule-sum').dataset.state === 'short' && document.querySelector('#schedule-sum').dataset.sum === '50000.00'`)
	clickJS(t, ctx, `#schedule-rows button[data-action="add-row"]`)
	fill(t, ctx, map[string]string{"#pledge-schedule-2-amount": "40000"})
	waitFor(t, ctx, `document.querySelector('#schedule-sum').dataset.state === 'equal'`)
	if s := text(t, ctx, "#schedule-sum"); !strings.Contains(s, "$90,000.00") {
		t.Errorf("the running sum reads %q, want the pledge's amount", s)
	}
	submit(t, ctx, "#pledge-form")
	waitFor(t, ctx, `document.querySelector('#pledge-schedule-1-due_on-error')?.textContent.trim()`)
	screenshot(t, ctx, "instalments-rows-refused-en")
	// A row removed: the sum falls short, and the API names the schedule.
	clickJS(t, ctx, `#schedule-rows .schedule-row[data-index="2"] button[data-action="remove-row"]`)
	fill(t, ctx, map[string]string{"#pledge-schedule-1-due_on": now.AddDate(0, 0, 60).Format("2006-01-02")})
	waitFor(t, ctx, `document.querySelector('#schedule-sum').dataset.state === 'short'`)
	submit(t, ctx, "#pledge-form")
	waitFor(t, ctx, `document.querySelector('#schedule-sum-error')?.textContent.includes('sum')`)

	// Generated: three quarterly instalments, the first long past due.
	clickJS(t, ctx, `#pledge-form input[name="schedule_mode"][value="generated"]`)
	fill(t, ctx, map[string]string{"#schedule-instalments": "3", "#schedule-every": "quarter", "#schedule-first-due-on": firstDue})
	waitFor(t, ctx, `document.querySelector('#schedule-sum').textContent.includes('$30,000.00') && document.querySelector('#schedule-sum').dataset.state === 'equal'`)
	screenshot(t, ctx, "instalments-generated-en")
	submit(t, ctx, "#pledge-form")
	waitSaved(t, ctx, "#pledge-form")
	if mode := js[string](t, ctx, `document.querySelector('#pledge-form').dataset.schedule`); mode != "none" {
		t.Errorf("after saving, the schedule is %q, want none again", mode)
	}
	var found struct {
		Items []scheduledPledge `json:"items"`
	}
	api.do(t, http.MethodGet, "/pledges?q="+url.QueryEscape(ref), nil, &found)
	if len(found.Items) != 1 || len(found.Items[0].Instalments) != 3 {
		t.Fatalf("the pledge saved with a generated schedule: %+v", found.Items)
	}
	p := found.Items[0]
	if p.Instalments[0].Amount != "30000.00" || p.Instalments[0].DueOn != firstDue || p.Instalments[0].Status != "overdue" || p.Status != "overdue" {
		t.Errorf("generated instalments %+v, pledge status %s", p.Instalments, p.Status)
	}

	// Its instalments, with their status.
	waitFor(t, ctx, `document.querySelector('[data-list="pledges"]').dataset.state === 'ready'`)
	checkInstalmentsButtonInView(t, ctx, p.ID)
	clickJS(t, ctx, fmt.Sprintf(`[data-list="pledges"] tr[data-id="%d"] button[data-action="instalments"]`, p.ID))
	checkInstalmentsShown(t, ctx, p)
	screenshot(t, ctx, "instalments-dialog-en")

	// Write off: more than is outstanding is refused beside the amount; then 10,000.
	fill(t, ctx, map[string]string{"#write-off-amount": "95000", "#write-off-reason": "Partner's budget cut (browser suite)"})
	submit(t, ctx, "#write-off-form")
	waitFor(t, ctx, `document.querySelector('#write-off-amount-error')?.textContent.trim()`)
	fill(t, ctx, map[string]string{"#write-off-amount": "10000"})
	submit(t, ctx, "#write-off-form")
	waitFor(t, ctx, `document.querySelector('#instalments-dialog tbody tr[data-seq="3"]')?.textContent.includes('10,000.00')
		&& document.querySelector('#instalments-message').textContent.includes('Written off')`)
	api.do(t, http.MethodGet, fmt.Sprintf("/pledges/%d", p.ID), nil, &p)
	if p.WrittenOff != "10000.00" || p.Instalments[2].WrittenOff != "10000.00" {
		t.Errorf("after writing off 10,000: written_off %s, instalments %+v", p.WrittenOff, p.Instalments)
	}
	checkInstalmentsShown(t, ctx, p)

	// Reschedule: the rows start from the schedule less what was written off (80,000);
	// a sum that falls short is refused, then two instalments are saved.
	if target := js[string](t, ctx, `document.querySelector('#reschedule-target').dataset.target`); target != "80000.00" {
		t.Errorf("the reschedule target is %s, want amount − written off = 80000.00", target)
	}
	waitFor(t, ctx, `document.querySelector('#reschedule-sum').dataset.state === 'equal'`)
	clickJS(t, ctx, `#reschedule-form .schedule-row[data-index="2"] button[data-action="remove-row"]`)
	fill(t, ctx, map[string]string{"#reschedule-1-amount": "40000.00"})
	waitFor(t, ctx, `document.querySelector('#reschedule-sum').dataset.state === 'short'`)
	submit(t, ctx, "#reschedule-form")
	waitFor(t, ctx, `document.querySelector('#reschedule-sum-error')?.textContent.trim()`)
	screenshot(t, ctx, "instalments-reschedule-refused-en")
	fill(t, ctx, map[string]string{"#reschedule-1-amount": "50000.00", "#reschedule-1-due_on": now.AddDate(0, 0, 45).Format("2006-01-02")})
	waitFor(t, ctx, `document.querySelector('#reschedule-sum').dataset.state === 'equal'`)
	submit(t, ctx, "#reschedule-form")
	waitFor(t, ctx, `document.querySelectorAll('#instalments-dialog tbody tr').length === 2 && document.querySelector('#instalments-message').textContent.includes('rescheduled')`)
	api.do(t, http.MethodGet, fmt.Sprintf("/pledges/%d", p.ID), nil, &p)
	if len(p.Instalments) != 2 || p.Instalments[1].Amount != "50000.00" || p.Instalments[0].Status != "overdue" || p.Instalments[1].Status != "scheduled" {
		t.Errorf("after rescheduling: %+v", p.Instalments)
	}
	checkInstalmentsShown(t, ctx, p)
	screenshot(t, ctx, "instalments-rescheduled-en")
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#instalments-close"))))
	waitFor(t, ctx, fmt.Sprintf(`document.querySelector('[data-list="pledges"] tr[data-id="%d"] .status-overdue')`, p.ID))
}

// The ageing list and the forecast equal the API's (buckets summing to outstanding_pledges),
// drawn as charts. Needs the ageing and forecast endpoints (issue 11, built in parallel).
func TestConsoleAgeingAndForecast(t *testing.T) {
	api := staffClient(t)
	ctx := tab(t, desktop)
	signIn(t, ctx, "en")
	clickJS(t, ctx, `[data-tab="ageing"]`)
	waitFor(t, ctx, `document.querySelector('#ageing-fund')`)
	fill(t, ctx, map[string]string{"#ageing-fund": fundCode}) // other tests add funds
	waitFor(t, ctx, fmt.Sprintf(`['ready', 'error'].includes(document.querySelector('#ageing[data-fund=%q]')?.dataset.state)
		&& ['ready', 'error'].includes(document.querySelector('#forecast[data-fund=%q]')?.dataset.state)`, fundCode, fundCode))
	if js[string](t, ctx, `document.querySelector('#ageing').dataset.state`) != "ready" {
		t.Fatalf("the ageing list did not load: %s", text(t, ctx, "#ageing"))
	}
	var p progress
	api.do(t, http.MethodGet, "/funds/"+fundCode+"/progress", nil, &p)
	var ageing struct {
		Buckets []struct {
			Bucket         string `json:"bucket"`
			OutstandingUSD string `json:"outstanding_usd"`
		} `json:"buckets"`
		Items []struct {
			PledgeID int64 `json:"pledge_id"`
		} `json:"items"`
	}
	api.do(t, http.MethodGet, "/funds/"+fundCode+"/ageing", nil, &ageing)
	if total := js[string](t, ctx, `document.querySelector('#ageing-total').dataset.usd`); total != p.OutstandingPledges {
		t.Errorf("the ageing buckets shown sum to %s, progress's outstanding_pledges is %s", total, p.OutstandingPledges)
	}
	for _, b := range ageing.Buckets {
		if shown := js[string](t, ctx, fmt.Sprintf(`document.querySelector('#ageing tr[data-bucket=%q]')?.dataset.usd ?? ''`, b.Bucket)); shown != b.OutstandingUSD {
			t.Errorf("bucket %s shows %q, the API %s", b.Bucket, shown, b.OutstandingUSD)
		}
	}
	if n := js[int](t, ctx, `document.querySelectorAll('#ageing tr[data-pledge]').length`); n != len(ageing.Items) {
		t.Errorf("the ageing list shows %d instalments, the API %d", n, len(ageing.Items))
	}
	if href := js[string](t, ctx, `document.querySelector('#ageing-csv').getAttribute('href')`); !strings.HasPrefix(href, "/api/v1/funds/"+fundCode+"/ageing.csv?as_of=") {
		t.Errorf("the ageing CSV link is %q", href)
	}
	// Beside it, the workbook, in the page's language.
	if href := js[string](t, ctx, `document.querySelector('#ageing-xlsx')?.getAttribute('href') ?? ''`); !strings.HasPrefix(href, "/api/v1/funds/"+fundCode+"/ageing.xlsx?") || !strings.Contains(href, "lang=en") {
		t.Errorf("the ageing Excel link is %q", href)
	}
	js[bool](t, ctx, `(() => { document.querySelector('#ageing .chart-box').scrollIntoView(); return true; })()`)
	waitFor(t, ctx, `window.Chart && Chart.getChart('ageing-chart')?.data.datasets[0].data.length === 5`)

	if js[string](t, ctx, `document.querySelector('#forecast').dataset.state`) != "ready" {
		t.Fatalf("the forecast did not load: %s", text(t, ctx, "#forecast"))
	}
	var forecast struct {
		OverdueUSD string `json:"overdue_usd"`
		Items      []struct {
			Period      string `json:"period"`
			ExpectedUSD string `json:"expected_usd"`
		} `json:"items"`
	}
	api.do(t, http.MethodGet, "/funds/"+fundCode+"/forecast?months=12", nil, &forecast)
	if shown := js[string](t, ctx, `document.querySelector('#forecast-overdue').dataset.usd`); shown != forecast.OverdueUSD {
		t.Errorf("the forecast shows %s overdue, the API %s", shown, forecast.OverdueUSD)
	}
	for _, it := range forecast.Items {
		if shown := js[string](t, ctx, fmt.Sprintf(`document.querySelector('#forecast tr[data-period=%q]')?.dataset.usd ?? ''`, it.Period)); shown != it.ExpectedUSD {
			t.Errorf("forecast %s shows %q, the API %s", it.Period, shown, it.ExpectedUSD)
		}
	}
	js[bool](t, ctx, `(() => { document.querySelector('#forecast .chart-box').scrollIntoView(); return true; })()`)
	waitFor(t, ctx, fmt.Sprintf(`Chart.getChart('forecast-chart')?.data.datasets[0].data.length === %d`, len(forecast.Items)))
	screenshot(t, ctx, "instalments-ageing-en")

	// An earlier date: the list as it stood then.
	fill(t, ctx, map[string]string{"#ageing-as-of": "2026-01-31"})
	waitFor(t, ctx, `document.querySelector('#ageing[data-as-of="2026-01-31"]')?.dataset.state === 'ready'`)
	if href := js[string](t, ctx, `document.querySelector('#ageing-csv').getAttribute('href')`); !strings.HasSuffix(href, "as_of=2026-01-31") {
		t.Errorf("the ageing CSV link is %q after choosing 2026-01-31", href)
	}
	var then progress
	api.do(t, http.MethodGet, "/funds/"+fundCode+"/progress?as_of=2026-01-31", nil, &then)
	if total := js[string](t, ctx, `document.querySelector('#ageing-total').dataset.usd`); total != then.OutstandingPledges {
		t.Errorf("as of 2026-01-31 the ageing buckets sum to %s, progress says %s", total, then.OutstandingPledges)
	}

	// In Arabic: right to left, the same figures.
	must(t, chromedp.Do(ctx, chromedp.Navigate(baseURL+"/staff?lang=ar#ageing")))
	waitFor(t, ctx, `document.body.dataset.state === 'ready' && document.querySelector('#ageing-fund')`)
	fill(t, ctx, map[string]string{"#ageing-fund": fundCode})
	waitFor(t, ctx, fmt.Sprintf(`document.querySelector('#ageing[data-fund=%q]')?.dataset.state === 'ready' && document.querySelector('#forecast[data-fund=%q]')?.dataset.state === 'ready'`, fundCode, fundCode))
	if total := js[string](t, ctx, `document.querySelector('#ageing-total').dataset.usd`); total != p.OutstandingPledges || js[string](t, ctx, `document.dir`) != "rtl" {
		t.Errorf("the Arabic ageing view: total %s (want %s), dir %s", total, p.OutstandingPledges, js[string](t, ctx, `document.dir`))
	}
	waitFor(t, ctx, `Boolean(window.Chart?.getChart('forecast-chart'))`)
	if href := js[string](t, ctx, `document.querySelector('#ageing-xlsx')?.getAttribute('href') ?? ''`); !strings.Contains(href, "lang=ar") {
		t.Errorf("the Arabic ageing Excel link is %q, want lang=ar", href)
	}
	// Twelve months: Arabic's "many" form (12 شهرًا), not the 3-to-10 plural (أشهر).
	arDict, err := frontend.Dictionary("ar")
	must(t, err)
	if got := text(t, ctx, "#forecast-total"); !strings.Contains(got, "شهرًا") || strings.Contains(got, "أشهر") || arDict["inst.forecast.total.many"] == "" {
		t.Errorf("the Arabic forecast total reads %q, want the form for 12 (شهرًا)", got)
	}
	screenshot(t, ctx, "instalments-ageing-ar")
}

// The reminders outbox lists what the API lists; the admin runs reminders now: without a mail
// server (the suite sets none) a pending reminder is marked to be sent by hand, its address a
// mailto: link. Needs the reminders endpoints (issue 11, built in parallel).
func TestConsoleRemindersOutbox(t *testing.T) {
	api := staffClient(t)
	var fund record
	api.do(t, http.MethodGet, "/funds/"+fundCode, nil, &fund)
	stamp := time.Now().UTC().Format("150405.000")
	var donor record
	api.do(t, http.MethodPost, "/donors", map[string]any{"name": "Reminded partner " + stamp, "kind": "foundation",
		"contact_email": "partner-" + strings.ReplaceAll(stamp, ".", "") + "@example.org"}, &donor)
	now := time.Now().UTC()
	var p scheduledPledge
	api.do(t, http.MethodPost, "/pledges", map[string]any{"fund_id": fund.ID, "donor_id": donor.ID, "amount": "20000.00", "currency": "USD",
		"pledged_on": now.AddDate(0, 0, -40).Format("2006-01-02"), "reference": "REM-" + stamp,
		"schedule": map[string]any{"instalments": 2, "every": "month", "first_due_on": now.AddDate(0, 0, -10).Format("2006-01-02")}}, &p)
	var patched record
	api.do(t, http.MethodPatch, fmt.Sprintf("/funds/%d", fund.ID), map[string]any{"reminder_policy": map[string]int{
		"before_due_days": 30, "overdue_every_days": 30, "max_overdue": 3}}, &patched)

	ctx := tab(t, desktop)
	signIn(t, ctx, "en")
	clickJS(t, ctx, `[data-tab="reminders"]`)
	waitFor(t, ctx, `['ready', 'error'].includes(document.querySelector('#reminders')?.dataset.state)`)
	if js[string](t, ctx, `document.querySelector('#reminders').dataset.state`) != "ready" {
		t.Fatalf("the reminders outbox did not load: %s", text(t, ctx, "#reminders"))
	}
	clickJS(t, ctx, `#reminders-run`)
	waitFor(t, ctx, `document.querySelector('#status').textContent.includes('Reminders run') && document.querySelector('#reminders')?.dataset.state === 'ready'`)
	var list struct {
		Items []struct {
			ID       int64  `json:"id"`
			PledgeID int64  `json:"pledge_id"`
			Status   string `json:"status"`
		} `json:"items"`
	}
	api.do(t, http.MethodGet, "/reminders?limit=200", nil, &list)
	if n := js[int](t, ctx, `document.querySelectorAll('#reminders tbody tr').length`); n != len(list.Items) {
		t.Errorf("the outbox shows %d reminders, the API %d", n, len(list.Items))
	}
	mine := 0
	for _, r := range list.Items {
		if r.PledgeID != p.ID {
			continue
		}
		mine++
		row := fmt.Sprintf(`#reminders tr[data-id="%d"]`, r.ID)
		if got := js[string](t, ctx, fmt.Sprintf(`document.querySelector('%s')?.dataset.status ?? ''`, row)); got != r.Status {
			t.Errorf("reminder %d shows %q, the API %q", r.ID, got, r.Status)
		}
		if r.Status == "pending" && !js[bool](t, ctx, fmt.Sprintf(`Boolean(document.querySelector('%s .by-hand') && document.querySelector('%s a[href^="mailto:partner-"]'))`, row, row)) {
			t.Errorf("pending reminder %d is not shown to be sent by hand", r.ID)
		}
	}
	if mine == 0 {
		t.Errorf("no reminder for the overdue instalment of pledge %d", p.ID)
	}
	screenshot(t, ctx, "instalments-reminders-en")
}

// The Arabic console: right to left, the schedule's labels and the instalment statuses in
// Arabic, the seeded overdue pledge's instalments shown.
func TestConsoleInstalmentsInArabic(t *testing.T) {
	ar, err := frontend.Dictionary("ar")
	must(t, err)
	var pledges struct {
		Items []scheduledPledge `json:"items"`
	}
	staffClient(t).do(t, http.MethodGet, "/pledges?q=SMSN-2026-Q", nil, &pledges)
	if len(pledges.Items) != 1 {
		t.Fatalf("the seeded instalment pledge SMSN-2026-Q: %d found", len(pledges.Items))
	}
	p := pledges.Items[0]
	ctx := tab(t, desktop)
	signIn(t, ctx, "ar")
	showTab(t, ctx, "pledges")
	if got := js[string](t, ctx, `document.documentElement.lang + ' ' + document.documentElement.dir`); got != "ar rtl" {
		t.Errorf("<html> lang/dir = %q, want ar rtl", got)
	}
	clickJS(t, ctx, `#pledge-form input[name="schedule_mode"][value="generated"]`)
	for sel, key := range map[string]string{`label[for="schedule-instalments"]`: "inst.instalments", `label[for="schedule-first-due-on"]`: "inst.first_due_on",
		`#pledge-schedule legend`: "inst.schedule", `[data-tab="ageing"]`: "inst.tab.ageing"} {
		if got := text(t, ctx, sel); got != ar[key] {
			t.Errorf("%s reads %q in Arabic, want %q", sel, got, ar[key])
		}
	}
	screenshot(t, ctx, "instalments-form-ar")
	fill(t, ctx, map[string]string{"#filter-q": "SMSN-2026-Q"})
	js[bool](t, ctx, `(() => { document.querySelector('#filters').dispatchEvent(new Event('change')); return true; })()`)
	waitFor(t, ctx, fmt.Sprintf(`document.querySelector('[data-list="pledges"]').dataset.state === 'ready' && document.querySelector('[data-list="pledges"] tr[data-id="%d"]')`, p.ID))
	checkInstalmentsButtonInView(t, ctx, p.ID)
	// The fund is named in Arabic in the console too: in the filter, the forms and the pledge rows.
	if got := js[string](t, ctx, `[...document.querySelectorAll('#filter-fund option, #pledge-form select[name="fund_id"] option')].map((o) => o.textContent).join('|')`); !strings.Contains(got, "صندوق الصمود") || strings.Contains(got, "IOM Resilience Fund") {
		t.Errorf("the Arabic console's fund options read %q, want the fund's Arabic name", got)
	}
	if got := text(t, ctx, fmt.Sprintf(`[data-list="pledges"] tr[data-id="%d"]`, p.ID)); !strings.Contains(got, "صندوق الصمود") {
		t.Errorf("the Arabic pledge row reads %q, want the fund's Arabic name", got)
	}
	clickJS(t, ctx, fmt.Sprintf(`[data-list="pledges"] tr[data-id="%d"] button[data-action="instalments"]`, p.ID))
	checkInstalmentsShown(t, ctx, p)
	if got := text(t, ctx, `#instalments-dialog tbody tr[data-status="overdue"] .badge`); got != ar["instalment.overdue"] {
		t.Errorf("an overdue instalment's badge reads %q, want %q", got, ar["instalment.overdue"])
	}
	if got := js[string](t, ctx, `getComputedStyle(document.querySelector('#instalments-dialog')).direction`); got != "rtl" {
		t.Errorf("the instalments dialog is %s, want rtl", got)
	}
	checkAxe(t, ctx, "instalments dialog ar")
	screenshot(t, ctx, "instalments-dialog-ar")
}

// A viewer reads a pledge's instalments but is offered no write-off or reschedule.
func TestViewerReadsInstalmentsOnly(t *testing.T) {
	own, _, _, viewer := accessWorld(t)
	ctx := tab(t, desktop)
	signInAs(t, ctx, viewer)
	showTab(t, ctx, "pledges")
	clickJS(t, ctx, fmt.Sprintf(`[data-list="pledges"] tr[data-id="%d"] button[data-action="instalments"]`, own))
	waitFor(t, ctx, `document.querySelector('#instalments-dialog')?.open && document.querySelector('#instalments-dialog tbody tr')`)
	if js[bool](t, ctx, `Boolean(document.querySelector('#write-off-form, #reschedule-form, #instalments-dialog [data-writes]'))`) {
		t.Error("a viewer's instalments dialog offers to write off or reschedule")
	}
	if js[bool](t, ctx, `Boolean(document.querySelector('#pledge-schedule'))`) {
		t.Error("a viewer is shown the pledge form's schedule")
	}
}

// checkInstalmentsButtonInView: at 1280 px the pledge row's Instalments button is inside the
// visible part of the table (the actions lead the row), with no horizontal scroll needed.
func checkInstalmentsButtonInView(t *testing.T, ctx context.Context, pledge int64) {
	t.Helper()
	waitFor(t, ctx, fmt.Sprintf(`Boolean(document.querySelector('[data-list="pledges"] tr[data-id="%d"] button[data-action="instalments"]'))`, pledge))
	got := js[string](t, ctx, fmt.Sprintf(`(() => {
		const b = document.querySelector('[data-list="pledges"] tr[data-id="%d"] button[data-action="instalments"]');
		const wrap = b.closest('.table-wrap').getBoundingClientRect(), r = b.getBoundingClientRect();
		return r.left >= wrap.left - 1 && r.right <= wrap.right + 1 && r.right <= window.innerWidth ? 'ok' : JSON.stringify({wrap, r});
	})()`, pledge))
	if got != "ok" {
		t.Errorf("pledge %d: the Instalments button is out of view without scrolling: %s", pledge, got)
	}
}
