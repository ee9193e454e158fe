//go:build browser

// The browser suite: it builds the real binary, seeds a fresh database, serves it, and
// drives Debian's Chromium (headless, through chromedp) over the pages as a person would.
// It knows the server only by its command line and its REST API.
//
//	make test-browser    (go test -tags browser -count=1 ./frontend/)
//
// Screenshots go to $FUNDTRACKER_SCREENSHOTS, or bin/screenshots at the repository root.
// $FUNDTRACKER_BROWSER_BIN runs an already built binary instead of `go build`.
// Without Chromium the suite skips, except under CI=true where it fails.
package frontend_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

const (
	chromiumPath  = "/usr/bin/chromium"
	adminEmail    = "admin@example.org"
	adminPassword = "browser-suite-password-2024"
	fundCode      = "iom-resilience-fund"
)

var (
	baseURL        string
	skipReason     string
	screenshotDir  string
	browserCtx     context.Context
	axeSource      string
	languages      = []string{"en", "fr", "ar"}
	desktop, phone = 1280, 360
)

func TestMain(m *testing.M) {
	os.Exit(runSuite(m))
}

func runSuite(m *testing.M) int {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			fmt.Fprintf(os.Stderr, "browser suite: %s is missing (apt-get install chromium)\n", chromiumPath)
			return 1
		}
		skipReason = "no " + chromiumPath + ": install Debian's chromium to run the browser suite"
		return m.Run()
	}
	root, err := filepath.Abs("..")
	if err != nil {
		return fail(err)
	}
	tmp, err := os.MkdirTemp("", "fundtracker-browser-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(tmp)

	screenshotDir = os.Getenv("FUNDTRACKER_SCREENSHOTS")
	if screenshotDir == "" {
		screenshotDir = filepath.Join(root, "bin", "screenshots")
	}
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		return fail(err)
	}
	axe, err := os.ReadFile(filepath.Join("testdata", "vendor", "axe.min.js"))
	if err != nil {
		return fail(fmt.Errorf("axe-core is not vendored (make vendor-js): %w", err))
	}
	axeSource = string(axe)

	stop, logPath, err := startServer(root, tmp)
	if err != nil {
		return fail(err)
	}
	defer stop()

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(filepath.Join(tmp, "chromium-profile")),
		chromedp.WindowSize(desktop, 900),
	)
	defer cancelAlloc()
	var cancelBrowser context.CancelFunc
	browserCtx, cancelBrowser = chromedp.NewContext(alloc)
	defer cancelBrowser()
	if err := chromedp.Do(browserCtx, chromedp.Navigate("about:blank")); err != nil {
		return fail(fmt.Errorf("starting chromium: %w", err))
	}

	code := m.Run()
	if code != 0 {
		if out, err := os.ReadFile(logPath); err == nil {
			fmt.Fprintf(os.Stderr, "---- server log (last 4 KB) ----\n%s\n", tail(out, 4096))
		}
	}
	fmt.Printf("screenshots in %s\n", screenshotDir)
	return code
}

func fail(err error) int {
	fmt.Fprintln(os.Stderr, "browser suite:", err)
	return 1
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// startServer builds the binary, seeds a fresh database and serves it on a free port.
// FUNDTRACKER_BROWSER_BIN names an already built binary to use instead of building one.
func startServer(root, tmp string) (stop func(), logPath string, err error) {
	bin := os.Getenv("FUNDTRACKER_BROWSER_BIN")
	if bin == "" {
		bin = filepath.Join(tmp, "fundtracker")
		build := exec.Command("go", "build", "-o", bin, ".")
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			return nil, "", fmt.Errorf("go build: %v\n%s", err, out)
		}
	}
	env := append(os.Environ(), "FUNDTRACKER_DB="+filepath.Join(tmp, "db.sqlite"))
	seed := exec.Command(bin, "seed")
	seed.Env = env
	if out, err := seed.CombinedOutput(); err != nil {
		return nil, "", fmt.Errorf("fundtracker seed: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	addr := l.Addr().String()
	l.Close()
	logPath = filepath.Join(tmp, "server.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, "", err
	}
	serve := exec.Command(bin, "serve")
	// No reminders scheduler (the tests run reminders when they mean to, and count them; the
	// seeded fund has a reminder policy) and no mail server, whatever the caller's environment.
	serve.Env = append(env, "FUNDTRACKER_ADDR="+addr,
		"FUNDTRACKER_ADMIN_EMAIL="+adminEmail, "FUNDTRACKER_ADMIN_PASSWORD="+adminPassword,
		"FUNDTRACKER_REMINDERS=off", "FUNDTRACKER_SMTP_URL=", "FUNDTRACKER_MAIL_FROM=")
	serve.Stdout, serve.Stderr = logFile, logFile
	if err := serve.Start(); err != nil {
		return nil, "", err
	}
	stop = func() {
		serve.Process.Kill()
		serve.Wait()
		logFile.Close()
	}
	baseURL = "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(baseURL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return stop, logPath, nil
			}
		}
		if time.Now().After(deadline) {
			stop()
			out, _ := os.ReadFile(logPath)
			return nil, "", fmt.Errorf("server not healthy after 30s: %v\n%s", err, tail(out, 4096))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// ---- the API, as a client of the contract ----------------------------------------------

type apiClient struct{ token string }

func (c *apiClient) do(t *testing.T, method, path string, body, out any) {
	t.Helper()
	var rd bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = *bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, baseURL+"/api/v1"+path, &rd)
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		var e bytes.Buffer
		e.ReadFrom(resp.Body)
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, e.String())
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
}

func staffClient(t *testing.T) *apiClient {
	var login struct {
		Token string `json:"token"`
	}
	(&apiClient{}).do(t, http.MethodPost, "/auth/login", map[string]string{"email": adminEmail, "password": adminPassword}, &login)
	return &apiClient{token: login.Token}
}

type progress struct {
	Target             string `json:"target"`
	Paid               string `json:"paid"`
	Pledged            string `json:"pledged"`
	OutstandingPledges string `json:"outstanding_pledges"`
	PercentPaid        string `json:"percent_paid"`
	DonorCount         int64  `json:"donor_count"`
	FirstContribution  *struct {
		Donor      string `json:"donor"`
		ReceivedOn string `json:"received_on"`
	} `json:"first_contribution"`
}

type record struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Reference string `json:"reference"`
	Amount    string `json:"amount"`
	AmountUSD string `json:"amount_usd"`
}

type list struct {
	Items []record `json:"items"`
}

// ---- the browser --------------------------------------------------------------------------

// tab opens a fresh tab of the given width, with reduced motion (charts draw at once) and
// the console recorded; at the end of the test any CSP violation, exception or console
// error the page met fails the test.
func tab(t *testing.T, width int) context.Context {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
	ctx, cancel := chromedp.NewContext(browserCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel() })
	must(t, chromedp.Do(ctx, chromedp.Navigate("about:blank"), chromedp.EmulateViewport(int64(width), 900)))
	_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}},
	})
	must(t, err)

	var mu sync.Mutex
	var problems []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if problem(m) {
				mu.Lock()
				problems = append(problems, fmt.Sprintf("%s %s:%d %s", m.Type, m.URL, m.Line+1, m.Text))
				mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, p := range problems {
			t.Errorf("browser console: %s", p)
		}
	})
	return ctx
}

// problem tells a console message the suite fails on. A refused request (4xx) is logged by
// Chromium as "Failed to load resource"; the forms meet those on purpose (a bad amount).
func problem(m chromedp.ConsoleMessage) bool {
	if m.IsException() || strings.Contains(m.Text, "Content Security Policy") || strings.Contains(m.Text, "Refused to") {
		return true
	}
	if m.Type != "error" {
		return false
	}
	return !strings.Contains(m.Text, "the server responded with a status of 4")
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func js[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it is truthy.
func waitFor(t *testing.T, ctx context.Context, cond string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("waiting for %s: %v", cond, err)
	}
}

func text(t *testing.T, ctx context.Context, selector string) string {
	t.Helper()
	return js[string](t, ctx, fmt.Sprintf(`document.querySelector(%q)?.textContent.trim() ?? ''`, selector))
}

// open loads a page and waits until its script says it is ready.
func open(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	must(t, chromedp.Do(ctx, chromedp.Navigate(baseURL+path)))
	waitFor(t, ctx, `document.body.dataset.state`)
	if state := js[string](t, ctx, `document.body.dataset.state`); state == "error" {
		t.Fatalf("%s: the page reports an error: %s", path, text(t, ctx, "#status"))
	}
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	must(t, err)
	must(t, os.WriteFile(filepath.Join(screenshotDir, name+".png"), buf, 0o644))
}

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// checkAxe runs axe-core in the page and fails on serious or critical violations.
func checkAxe(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	if !js[bool](t, ctx, `typeof axe !== 'undefined'`) {
		js[bool](t, ctx, axeSource+"\n;true")
	}
	result := js[struct {
		Passes     int            `json:"passes"`
		Violations []axeViolation `json:"violations"`
	}](t, ctx, `axe.run(document).then(r => ({passes: r.passes.length, violations: r.violations
		.filter(v => v.impact === 'serious' || v.impact === 'critical')
		.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))}))`)
	if result.Passes == 0 {
		t.Errorf("axe on %s checked nothing", page)
	}
	for _, v := range result.Violations {
		t.Errorf("axe on %s: %s (%s): %s at %v", page, v.ID, v.Impact, v.Help, v.Nodes)
	}
}

// digits keeps the digits of a formatted figure (Arabic-Indic ones read as 0-9), so that
// "US$1,234.50", "1 234,50 $US" and the API's "1234.50" compare equal.
func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '٠' && r <= '٩':
			b.WriteRune('0' + r - '٠')
		}
	}
	return b.String()
}

// cents reads a figure shown with two decimals as an integer number of cents.
func cents(t *testing.T, shown string) *big.Int {
	t.Helper()
	n, ok := new(big.Int).SetString(digits(shown), 10)
	if !ok {
		t.Fatalf("no number in %q", shown)
	}
	return n
}

// ---- the tests ------------------------------------------------------------------------------

func TestServerSendsCSP(t *testing.T) {
	if skipReason != "" {
		t.Skip(skipReason)
	}
	resp, err := http.Get(baseURL + "/funds/" + fundCode)
	must(t, err)
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("the dashboard is served without the CSP (Content-Security-Policy %q): the no-violation checks below would prove nothing", csp)
	}
}

// The dashboard in each language shows the API's figures, right to left in Arabic; each
// page passes axe-core; screenshots at desktop and phone width.
func TestDashboardFiguresInEachLanguage(t *testing.T) {
	var p progress
	(&apiClient{}).do(t, http.MethodGet, "/funds/"+fundCode+"/progress", nil, &p)
	var donors list
	(&apiClient{}).do(t, http.MethodGet, "/funds/"+fundCode+"/donors", nil, &donors)
	decimalSep := map[string]string{"en": ".", "fr": ",", "ar": ","}
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			ctx := tab(t, desktop)
			open(t, ctx, "/funds/"+fundCode+"?lang="+lang)
			wantDir := map[bool]string{true: "rtl", false: "ltr"}[lang == "ar"]
			if got := js[string](t, ctx, `document.documentElement.lang + ' ' + document.documentElement.dir`); got != lang+" "+wantDir {
				t.Errorf("<html> lang/dir = %q, want %q", got, lang+" "+wantDir)
			}
			for id, want := range map[string]string{
				"#fig-target": p.Target, "#fig-paid": p.Paid, "#fig-pledged": p.Pledged,
				"#fig-outstanding": p.OutstandingPledges, "#fig-percent-paid": p.PercentPaid,
				"#fig-donor-count": fmt.Sprint(p.DonorCount),
			} {
				shown := text(t, ctx, id)
				if digits(shown) != digits(want) {
					t.Errorf("%s shows %q, the API says %s", id, shown, want)
				}
				if i := strings.Index(want, "."); i >= 0 && !strings.Contains(shown, decimalSep[lang]+want[i+1:]) {
					t.Errorf("%s shows %q: want the %s decimal separator %q", id, shown, lang, decimalSep[lang])
				}
			}
			var pl progress // issue 15: the first contributor is named in the page's language
			(&apiClient{}).do(t, http.MethodGet, "/funds/"+fundCode+"/progress?lang="+lang, nil, &pl)
			if pl.FirstContribution != nil && !strings.Contains(text(t, ctx, "#fig-first"), pl.FirstContribution.Donor) {
				t.Errorf("first contributor %q, the API says %q", text(t, ctx, "#fig-first"), pl.FirstContribution.Donor)
			}
			if rows := js[int](t, ctx, `document.querySelectorAll('#donor-table tbody tr').length`); rows != len(donors.Items) {
				t.Errorf("donor table has %d rows, the API %d donors", rows, len(donors.Items))
			}
			if href := js[string](t, ctx, `document.querySelector('#csv-link').getAttribute('href')`); href != "/api/v1/funds/"+fundCode+"/donors.csv?lang="+lang {
				t.Errorf("CSV link %q", href)
			}
			waitCharts(t, ctx) // issue 15: Chart.js loads as the charts come near the screen
			if n := js[int](t, ctx, `Chart.getChart('timeline-chart')?.data.datasets.length ?? 0`); n != 3 {
				t.Errorf("timeline chart has %d datasets, want paid, pledged and target", n)
			}
			// Sorting by donor name puts the header in ascending order.
			must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[data-sort="name"]`))))
			if s := js[string](t, ctx, `document.querySelector('button[data-sort="name"]').closest('th').getAttribute('aria-sort')`); s != "ascending" {
				t.Errorf("after sorting by name aria-sort is %q", s)
			}
			checkAxe(t, ctx, "dashboard "+lang)
			screenshot(t, ctx, fmt.Sprintf("dashboard-%s-%d", lang, desktop))

			small := tab(t, phone)
			open(t, small, "/funds/"+fundCode+"?lang="+lang)
			waitCharts(t, small)
			if w := js[int](t, small, `document.documentElement.scrollWidth`); w > phone {
				t.Errorf("at %d px the page is %d px wide (it scrolls sideways)", phone, w)
			}
			screenshot(t, small, fmt.Sprintf("dashboard-%s-%d", lang, phone))
		})
	}
}

func TestHomeAndLanguageMemory(t *testing.T) {
	ctx := tab(t, desktop)
	for _, lang := range languages {
		open(t, ctx, "/?lang="+lang)
		if n := js[int](t, ctx, `document.querySelectorAll('#funds .fund-card').length`); n == 0 {
			t.Fatalf("home (%s) lists no fund", lang)
		}
		checkAxe(t, ctx, "home "+lang)
		screenshot(t, ctx, "home-"+lang)
	}
	// The last ?lang= is remembered: the next page without it is in that language.
	open(t, ctx, "/funds/"+fundCode)
	if got := js[string](t, ctx, `document.documentElement.lang`); got != languages[len(languages)-1] {
		t.Errorf("language not remembered: page in %q", got)
	}
}

// The staff console: sign in, add an exchange rate, a donor, a pledge (one bad amount
// first), a payment against it (one bad amount first), and the dashboard's paid figure
// moves by exactly that payment.
func TestStaffEntersPledgeAndPayment(t *testing.T) {
	api := staffClient(t)
	var fund record
	api.do(t, http.MethodGet, "/funds/"+fundCode, nil, &fund)

	ctx := tab(t, desktop)
	open(t, ctx, "/funds/"+fundCode+"?lang=en")
	paidBefore := cents(t, text(t, ctx, "#fig-paid"))

	signIn(t, ctx, "en")

	stamp := time.Now().UTC().Format("150405.000")
	today := time.Now().Format("2006-01-02")

	// An exchange rate for today, so that the amounts below have a known rate.
	showTab(t, ctx, "rates")
	fill(t, ctx, map[string]string{"#rate-currency": "EUR", "#rate-effective-on": today, "#rate-units": "0.9", "#rate-source": "browser suite " + stamp})
	submit(t, ctx, "#rate-form")
	waitSaved(t, ctx, "#rate-form")

	// A donor.
	donorName := "Browser Suite Foundation " + stamp
	showTab(t, ctx, "donors")
	fill(t, ctx, map[string]string{"#donor-name": donorName, "#donor-kind": "foundation", "#donor-country": "CH"})
	submit(t, ctx, "#donor-form")
	waitSaved(t, ctx, "#donor-form")
	var donors list
	api.do(t, http.MethodGet, "/donors?limit=1000", nil, &donors)
	donorID := findRecord(t, donors.Items, func(r record) bool { return r.Name == donorName }).ID

	// A pledge: first "abc" as amount, which the API refuses beside the field.
	reference := "BT-" + stamp
	showTab(t, ctx, "pledges")
	fill(t, ctx, map[string]string{
		"#pledge-fund": fmt.Sprint(fund.ID), "#pledge-donor": fmt.Sprint(donorID),
		"#pledge-amount": "abc", "#pledge-currency": "EUR", "#pledge-reference": reference,
	})
	submit(t, ctx, "#pledge-form")
	waitFor(t, ctx, `document.querySelector('#pledge-amount-error')?.textContent.trim()`)
	if js[string](t, ctx, `document.querySelector('#pledge-amount').getAttribute('aria-invalid')`) != "true" {
		t.Error("the amount field is not marked invalid")
	}
	screenshot(t, ctx, "staff-pledge-field-error")
	fill(t, ctx, map[string]string{"#pledge-amount": "1000.00"})
	submit(t, ctx, "#pledge-form")
	waitSaved(t, ctx, "#pledge-form")
	var pledges list
	api.do(t, http.MethodGet, fmt.Sprintf("/pledges?fund_id=%d&donor_id=%d", fund.ID, donorID), nil, &pledges)
	pledge := findRecord(t, pledges.Items, func(r record) bool { return r.Reference == reference })

	// A payment against it, from the pledge's "Record a payment" button.
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-list="pledges"] tr[data-id="%d"] .row-actions button[data-action="pay"]`, pledge.ID)))))
	waitFor(t, ctx, `!document.querySelector('#tab-contributions').hidden && document.querySelector('#contribution-outstanding').textContent.includes('1,000.00')`)
	for sel, want := range map[string]string{"#contribution-fund": fmt.Sprint(fund.ID), "#contribution-donor": fmt.Sprint(donorID), "#contribution-currency": "EUR"} {
		if got := js[string](t, ctx, fmt.Sprintf(`document.querySelector(%q).value`, sel)); got != want {
			t.Errorf("picking the pledge set %s to %q, want %q", sel, got, want)
		}
	}
	payRef := "BT-PAY-" + stamp
	fill(t, ctx, map[string]string{"#contribution-amount": "12.345", "#contribution-reference": payRef})
	submit(t, ctx, "#contribution-form")
	waitFor(t, ctx, `document.querySelector('#contribution-amount-error')?.textContent.trim()`)
	screenshot(t, ctx, "staff-contribution-field-error")

	fill(t, ctx, map[string]string{"#contribution-amount": "250.00"})
	waitFor(t, ctx, `document.querySelector('#contribution-quote').textContent.includes('=')`)
	if q := text(t, ctx, "#contribution-quote"); !strings.Contains(q, "0.9") {
		t.Errorf("the quote %q does not show today's rate 0.9", q)
	}
	screenshot(t, ctx, "staff-contribution-quote")
	submit(t, ctx, "#contribution-form")
	waitSaved(t, ctx, "#contribution-form")
	var contributions list
	api.do(t, http.MethodGet, fmt.Sprintf("/contributions?fund_id=%d&donor_id=%d", fund.ID, donorID), nil, &contributions)
	payment := findRecord(t, contributions.Items, func(r record) bool { return r.Reference == payRef })
	if payment.Amount != "250.00" {
		t.Errorf("payment saved as %s, typed 250.00", payment.Amount)
	}

	for _, lang := range languages {
		open(t, ctx, "/staff?lang="+lang)
		waitFor(t, ctx, `document.body.dataset.state === 'ready'`)
		// Every list loaded, then every panel shown at once, so that axe sees every form and list.
		for _, name := range []string{"contributions", "donors", "rates", "pledges"} {
			showTab(t, ctx, name)
		}
		js[bool](t, ctx, `document.querySelectorAll('.tab-panel').forEach(p => p.hidden = false); true`)
		checkAxe(t, ctx, "staff console "+lang)
		screenshot(t, ctx, "staff-console-"+lang)
	}
	small := tab(t, phone)
	open(t, small, "/staff?lang=ar")
	screenshot(t, small, "staff-signin-ar-360")
	signIn(t, small, "ar")
	showTab(t, small, "contributions")
	if w := js[int](t, small, `document.documentElement.scrollWidth`); w > phone {
		t.Errorf("the staff console at %d px is %d px wide", phone, w)
	}
	screenshot(t, small, "staff-contributions-ar-360")

	open(t, ctx, "/funds/"+fundCode+"?lang=en")
	paidAfter := cents(t, text(t, ctx, "#fig-paid"))
	moved := new(big.Int).Sub(paidAfter, paidBefore)
	if want := cents(t, payment.AmountUSD); moved.Cmp(want) != 0 {
		t.Errorf("the dashboard's paid figure moved by %s cents, the payment is %s USD", moved, payment.AmountUSD)
	}

	// Void the payment and cancel the pledge, each with a reason: paid is back where it was.
	open(t, ctx, "/staff?lang=en")
	showTab(t, ctx, "contributions")
	fill(t, ctx, map[string]string{"#filter-voided": "include"}) // voided rows are left out by default (issue 14)
	waitFor(t, ctx, `document.querySelector('[data-list="contributions"]').dataset.state === 'ready'`)
	withReason(t, ctx, fmt.Sprintf(`[data-list="contributions"] tr[data-id="%d"] .row-actions button`, payment.ID), "staff-void-reason")
	waitFor(t, ctx, fmt.Sprintf(`document.querySelector('[data-list="contributions"] tr[data-id="%d"] .status-cancelled')`, payment.ID))
	showTab(t, ctx, "pledges")
	withReason(t, ctx, fmt.Sprintf(`[data-list="pledges"] tr[data-id="%d"] .row-actions button:last-child`, pledge.ID), "")
	waitFor(t, ctx, fmt.Sprintf(`document.querySelector('[data-list="pledges"] tr[data-id="%d"] .status-cancelled')`, pledge.ID))
	open(t, ctx, "/funds/"+fundCode+"?lang=en")
	if after := cents(t, text(t, ctx, "#fig-paid")); after.Cmp(paidBefore) != 0 {
		t.Errorf("after the void the paid figure is %s cents, it was %s before the payment", after, paidBefore)
	}
}

// withReason clicks a void or cancel button, checks that the dialog wants a reason, gives one.
func withReason(t *testing.T, ctx context.Context, button, shot string) {
	t.Helper()
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(button))))
	waitFor(t, ctx, `document.querySelector('#reason-dialog').open`)
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#reason-confirm"))))
	waitFor(t, ctx, `document.querySelector('#reason-input-error')?.textContent.trim()`)
	if shot != "" {
		screenshot(t, ctx, shot)
	}
	must(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#reason-input"), "Entered by the browser suite"),
		chromedp.Click(chromedp.CSS("#reason-confirm"))))
	waitFor(t, ctx, `!document.querySelector('#reason-dialog').open`)
}

// signIn opens the staff console and signs in through its form.
func signIn(t *testing.T, ctx context.Context, lang string) {
	t.Helper()
	open(t, ctx, "/staff?lang="+lang)
	if signedInAs(t, ctx, adminEmail) {
		return // a session of this browser is recognised in a new tab (issue 14)
	}
	checkAxe(t, ctx, "staff sign-in "+lang)
	must(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#login-email"), adminEmail),
		chromedp.SendKeys(chromedp.CSS("#login-password"), adminPassword),
		chromedp.Click(chromedp.CSS(`#login-form button[type="submit"]`)),
	))
	waitFor(t, ctx, `!document.querySelector('#console').hidden && document.body.dataset.state === 'ready'`)
}

// signedInAs tells whether the console open in ctx is signed in as email. The tabs of the
// suite share one browser, so its session cookie: a session another test left (another
// user, another role) is recognised in a new tab (issue 14), and is ended here so that the
// sign-in form shows.
func signedInAs(t *testing.T, ctx context.Context, email string) bool {
	t.Helper()
	if js[string](t, ctx, `document.body.dataset.state`) != "ready" {
		return false
	}
	if strings.Contains(text(t, ctx, "#whoami"), " "+email+" (") {
		return true
	}
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#logout"))))
	waitFor(t, ctx, `document.body.dataset.state === 'login' && !document.querySelector('#login-section').hidden`)
	// A fresh page: staff-access.js decorates the console once per page, for the user then.
	must(t, chromedp.Do(ctx, chromedp.Reload()))
	waitFor(t, ctx, `document.body.dataset.state === 'login'`)
	return false
}

func showTab(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-tab=%q]`, name)))))
	waitFor(t, ctx, fmt.Sprintf(`!document.querySelector('#tab-%s').hidden && document.querySelector('[data-list=%q]').dataset.state === 'ready'`, name, name))
}

// fill sets fields as a person would: text is typed (so input events fire); selects and
// dates, whose typing depends on the browser's locale, are set with their events.
func fill(t *testing.T, ctx context.Context, fields map[string]string) {
	t.Helper()
	for sel, value := range fields {
		if js[bool](t, ctx, fmt.Sprintf(`['SELECT', 'date'].includes(document.querySelector(%q).type === 'date' ? 'date' : document.querySelector(%q).tagName)`, sel, sel)) {
			set := js[string](t, ctx, fmt.Sprintf(`(() => { const s = document.querySelector(%q); s.value = %q;
				s.dispatchEvent(new Event('input', {bubbles: true}));
				s.dispatchEvent(new Event('change', {bubbles: true})); return s.value; })()`, sel, value))
			if set != value {
				t.Fatalf("%s: could not choose %q (no such option?)", sel, value)
			}
			continue
		}
		js[bool](t, ctx, fmt.Sprintf(`(() => { document.querySelector(%q).value = ''; return true; })()`, sel))
		must(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(sel), value)))
		if got := js[string](t, ctx, fmt.Sprintf(`document.querySelector(%q).value`, sel)); got != value {
			t.Fatalf("%s: typed %q, the field holds %q", sel, value, got)
		}
	}
}

func submit(t *testing.T, ctx context.Context, form string) {
	t.Helper()
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(form+` button[type="submit"]`))))
}

func waitSaved(t *testing.T, ctx context.Context, form string) {
	t.Helper()
	cond := fmt.Sprintf(`(() => { const m = document.querySelector('%s .form-error');
		return m.textContent.trim() !== '' && (m.classList.contains('ok') ? 'ok' : 'error'); })()`, form)
	waitFor(t, ctx, cond)
	if js[string](t, ctx, cond) != "ok" {
		t.Fatalf("%s was not saved: %s", form, text(t, ctx, form+" .form-error"))
	}
}

func findRecord(t *testing.T, items []record, match func(record) bool) record {
	t.Helper()
	for _, r := range items {
		if match(r) {
			return r
		}
	}
	t.Fatal(errors.New("the record saved through the form is not in the API's list"))
	return record{}
}
