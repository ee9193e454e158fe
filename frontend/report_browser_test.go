//go:build browser

package frontend_test

// Issue 13: the printable fund report, printed to PDF by Chromium in English
// and Arabic and read back with pdftotext (Debian poppler-utils).

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// grouped writes "5695496.38" as the report writes it in en and ar: "5,695,496.38".
func grouped(s string) string {
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, ch := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	return b.String() + "." + frac
}

func TestFundReportPrintsToPDF(t *testing.T) {
	ctx := tab(t, desktop)
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is missing (apt-get install poppler-utils)")
		}
		t.Skip("no pdftotext: install Debian's poppler-utils")
	}
	var p progress
	(&apiClient{}).do(t, http.MethodGet, "/funds/iom-resilience-fund/progress", nil, &p)
	signIn(t, ctx, "en")
	// The console links to the report of the fund chosen in its filter (other tests add funds,
	// so the seeded one is chosen explicitly; another fund, when there is one, moves the link).
	type fundRef struct {
		ID   int64  `json:"id"`
		Code string `json:"code"`
	}
	staff := staffClient(t)
	var seeded fundRef
	staff.do(t, http.MethodGet, "/funds/"+fundCode, nil, &seeded)
	var funds struct {
		Items []fundRef `json:"items"`
	}
	staff.do(t, http.MethodGet, "/funds", nil, &funds)
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-tab="exports"]`))))
	waitFor(t, ctx, `!document.querySelector('#tab-exports').hidden && !document.querySelector('#fund-report').hidden`)
	reportFor := func(f fundRef) {
		t.Helper()
		if !js[bool](t, ctx, fmt.Sprintf(`((id) => {
			const s = document.querySelector('#filter-fund');
			s.value = id;
			s.dispatchEvent(new Event('change', { bubbles: true }));
			return s.value === id;
		})(%q)`, fmt.Sprint(f.ID))) {
			t.Fatalf("the console's fund filter has no fund %d (%s)", f.ID, f.Code)
		}
		href := js[string](t, ctx, `document.querySelector('#fund-report').getAttribute('href')`)
		if !strings.HasPrefix(href, "/funds/"+f.Code+"/report?") || js[bool](t, ctx, `document.querySelector('#fund-report').hidden`) {
			t.Fatalf("with fund %s chosen, the console's report link is %q", f.Code, href)
		}
	}
	for _, f := range funds.Items {
		if f.Code != seeded.Code {
			reportFor(f)
			break
		}
	}
	reportFor(seeded)
	for _, lang := range []string{"en", "ar"} {
		must(t, chromedp.Do(ctx, chromedp.Navigate(baseURL+"/funds/iom-resilience-fund/report?lang="+lang)))
		waitFor(t, ctx, `document.readyState === 'complete' && !!document.querySelector('#headline')`)
		if dir := js[string](t, ctx, `document.documentElement.dir`); (lang == "ar") != (dir == "rtl") {
			t.Fatalf("%s report: dir=%q", lang, dir)
		}
		checkAxe(t, ctx, "fund report "+lang)
		yes := true
		res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &yes, PrintBackground: &yes})
		must(t, err)
		pdf := res.Data
		file := filepath.Join(screenshotDir, "fund-report-"+lang+".pdf")
		must(t, os.WriteFile(file, pdf, 0o644))
		out, err := exec.Command("pdftotext", "-layout", file, "-").CombinedOutput()
		if err != nil {
			t.Fatalf("pdftotext: %v\n%s", err, out)
		}
		text := string(out)
		for _, figure := range []string{p.Target, p.Paid, p.OutstandingPledges, p.Pledged} {
			// Arabic as on the dashboard (ar-MA): 1.000.000,00 (models/locale.go).
			want := grouped(figure)
			if lang == "ar" {
				want = strings.NewReplacer(",", ".", ".", ",").Replace(want)
			}
			if !strings.Contains(text, want) {
				t.Errorf("%s PDF lacks the headline figure %s:\n%s", lang, want, text)
			}
		}
		// The fund is named in the report's language (issue 15: no English name in Arabic).
		if name := map[string]string{"en": "IOM Resilience Fund", "ar": "صندوق الصمود"}[lang]; !strings.Contains(text, name) {
			t.Errorf("%s PDF lacks the page header's fund name %q", lang, name)
		}
		// Page numbers from the CSS @page counters ("1 / N"; pdftotext may drop the spaces),
		// and the page header (fund, period, generation time) on every page.
		m := regexp.MustCompile(`\b1 ?/ ?([0-9]+)\b`).FindStringSubmatch(text)
		if m == nil {
			t.Fatalf("%s PDF has no page number:\n%s", lang, text)
		}
		if pages, _ := strconv.Atoi(m[1]); lang == "en" && strings.Count(text, "Generated 20") != pages {
			t.Errorf("en PDF: the page header is on %d of %d pages", strings.Count(text, "Generated 20"), pages)
		}
		fmt.Printf("fund report %s: %d bytes of PDF in %s\n", lang, len(pdf), file)
	}
}
