//go:build browser

// Issue 12 in the console: the Import tab. A statement with errors is checked (each
// problem shown beside its row and column, Import stays disabled), the fixed file is
// chosen again and checked (clean: Import enabled), then imported (created, duplicates,
// SHA-256, in the past imports); a commit the ledger refuses after its dry run shows the
// 422's rows; the tab in Arabic is right to left and translated.
package frontend_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chooseImportFile writes content to dir/name and chooses it in the file input, as a
// person choosing it again after fixing it.
func chooseImportFile(t *testing.T, ctx context.Context, dir, name, content string) {
	t.Helper()
	path := filepath.Join(dir, name)
	must(t, os.WriteFile(path, []byte(content), 0o644))
	js[bool](t, ctx, `(() => { document.querySelector('#import-file-name').textContent = ''; return true; })()`)
	must(t, chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{path})))
	waitFor(t, ctx, fmt.Sprintf(`document.querySelector('#import-file-name').textContent.includes(%q)`, name))
}

func openImportTab(t *testing.T, ctx context.Context) {
	t.Helper()
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-tab="imports"]`))))
	waitFor(t, ctx, `!document.querySelector('#tab-imports').hidden && document.querySelector('#import-history').dataset.state === 'ready'`)
}

// dryRun clicks the check button and waits for its answer.
func dryRun(t *testing.T, ctx context.Context) string {
	t.Helper()
	js[bool](t, ctx, `(() => { document.querySelector('#import-result').replaceChildren(); return true; })()`)
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#import-dry-run"))))
	waitFor(t, ctx, `document.querySelector('#import-result article')`)
	return js[string](t, ctx, `document.querySelector('#import-result article').dataset.state`)
}

func importCount(t *testing.T, ctx context.Context, key string) string {
	t.Helper()
	return js[string](t, ctx, fmt.Sprintf(`document.querySelector('#import-result [data-count=%q]')?.dataset.value ?? ''`, key))
}

// errorRows lists the errors table as "row|column|field" (the cells shown, and the row's data).
func errorRows(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return strings.Split(js[string](t, ctx, `[...document.querySelectorAll('#import-result .import-errors tbody tr')]
		.map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent, tr.dataset.field, tr.dataset.row, tr.dataset.column].join('|')).join('\n')`), "\n")
}

func TestConsoleImportTab(t *testing.T) {
	ctx := tab(t, desktop)
	dir := t.TempDir()
	stamp := time.Now().UTC().Format("150405.000")
	signIn(t, ctx, "en")
	openImportTab(t, ctx)

	// The templates follow the kind chosen and the page's language; the CSV's headers import.
	fill(t, ctx, map[string]string{"#import-kind": "pledges"})
	if href := js[string](t, ctx, `document.querySelector('#import-template-xlsx').getAttribute('href')`); href != "/api/v1/imports/templates/pledges.xlsx?lang=en" {
		t.Errorf("the XLSX template link is %q", href)
	}
	fill(t, ctx, map[string]string{"#import-kind": "contributions"})
	header := js[string](t, ctx, `fetch(document.querySelector('#import-template-csv').href).then((r) => r.text()).then((s) => s.replace(/^\uFEFF/, '').trim())`)
	if header != "Fund code,Donor name,Donor country,Pledge reference,Amount,Currency,Received on,Exchange rate,Earmarking,Reference,Notes" {
		t.Errorf("the contributions CSV template's header is %q", header)
	}

	// A statement with three bad rows: each problem beside its row and column; Import disabled.
	ref := "IMP-" + stamp
	bad := "Fund code,Donor name,Amount,Currency,Received on,Reference\n" +
		fundCode + ",Kingdom of Morocco,1250.50,USD,2026-04-01," + ref + "-1\n" +
		"no-such-fund,Kingdom of Morocco,10.00,USD,2026-04-02," + ref + "-2\n" +
		fundCode + ",Kingdom of Morocco,abc,USD,2026-04-03," + ref + "-3\n" +
		fundCode + ",Kingdom of Morocco,20.00,EUR,2026-13-01," + ref + "-4\n"
	chooseImportFile(t, ctx, dir, "statement.csv", bad)
	if state := dryRun(t, ctx); state != "invalid" {
		t.Fatalf("the dry run of a file with errors is %q", state)
	}
	for key, want := range map[string]string{"rows": "4", "valid": "1", "invalid": "3", "would_create": "1"} {
		if got := importCount(t, ctx, key); got != want {
			t.Errorf("dry run %s = %q, want %s", key, got, want)
		}
	}
	rows := errorRows(t, ctx)
	for _, want := range []string{"3|Fund code|fund_id|3|Fund code", "4|Amount|amount|4|Amount", "5|Received on|received_on|5|Received on"} {
		found := false
		for _, r := range rows {
			found = found || r == want
		}
		if !found {
			t.Errorf("no error row %q in %q", want, rows)
		}
	}
	for _, r := range rows {
		if strings.HasPrefix(r, "2|") {
			t.Errorf("the valid row 2 is listed with an error: %q", r)
		}
	}
	if !js[bool](t, ctx, `document.querySelector('#import-commit').disabled`) {
		t.Error("Import is enabled after a dry run with errors")
	}
	if got := text(t, ctx, "#import-result .import-errors tbody tr[data-row='4'] .problem"); !strings.Contains(got, "decimal") {
		t.Errorf("the amount's problem is %q, want the API's text", got)
	}
	screenshot(t, ctx, "console-import-errors-en")
	checkAxe(t, ctx, "console import errors en")

	// Fixed, chosen again: Import stays disabled until the fixed file is checked.
	fixed := "Fund code,Donor name,Amount,Currency,Received on,Reference\n" +
		fundCode + ",Kingdom of Morocco,1250.50,USD,2026-04-01," + ref + "-1\n" +
		fundCode + ",Kingdom of Morocco,10.00,USD,2026-04-02," + ref + "-2\n" +
		fundCode + ",Kingdom of Morocco,30.00,USD,2026-04-03," + ref + "-3\n" +
		fundCode + ",Kingdom of Morocco,20.00,EUR,2026-04-04," + ref + "-4\n"
	chooseImportFile(t, ctx, dir, "statement.csv", fixed)
	if !js[bool](t, ctx, `document.querySelector('#import-commit').disabled`) {
		t.Error("Import is enabled for a file chosen again but not checked")
	}
	if state := dryRun(t, ctx); state != "clean" {
		t.Fatalf("the dry run of the fixed file is %q: %v", state, errorRows(t, ctx))
	}
	for key, want := range map[string]string{"rows": "4", "valid": "4", "invalid": "0", "duplicates": "0", "would_create": "4"} {
		if got := importCount(t, ctx, key); got != want {
			t.Errorf("dry run of the fixed file: %s = %q, want %s", key, got, want)
		}
	}
	totals := js[string](t, ctx, `[...document.querySelectorAll('#import-result .import-totals tr[data-currency]')].map((tr) => tr.dataset.currency + ' ' + tr.dataset.amount).join(', ')`)
	if totals != "EUR 20.00, USD 1290.50" {
		t.Errorf("totals per currency %q, want EUR 20.00, USD 1290.50", totals)
	}
	if usd := js[string](t, ctx, `document.querySelector('#import-result .import-totals .totals').dataset.usd`); !strings.HasPrefix(usd, "13") {
		t.Errorf("total in USD %q, want 1290.50 plus EUR 20 in USD", usd)
	}
	waitFor(t, ctx, `!document.querySelector('#import-commit').disabled`)
	// Another kind is not what was checked: Import waits for its own dry run.
	fill(t, ctx, map[string]string{"#import-kind": "pledges"})
	if !js[bool](t, ctx, `document.querySelector('#import-commit').disabled`) {
		t.Error("Import is enabled for a kind the file was not checked as")
	}
	fill(t, ctx, map[string]string{"#import-kind": "contributions"})
	dryRun(t, ctx)
	waitFor(t, ctx, `!document.querySelector('#import-commit').disabled`)
	screenshot(t, ctx, "console-import-clean-en")

	// Import: 201, created, duplicates, SHA-256, and the import at the top of the past imports.
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#import-commit"))))
	waitFor(t, ctx, `document.querySelector('#import-result .import-done')`)
	sum := sha256.Sum256([]byte(fixed))
	if got := text(t, ctx, "#import-result .sha256"); got != hex.EncodeToString(sum[:]) {
		t.Errorf("the SHA-256 shown is %q, want %x", got, sum)
	}
	if got := importCount(t, ctx, "created"); got != "4" {
		t.Errorf("created %q, want 4", got)
	}
	if got := importCount(t, ctx, "duplicates"); got != "0" {
		t.Errorf("duplicates %q, want 0", got)
	}
	id := js[string](t, ctx, `document.querySelector('#import-result .import-done').dataset.id`)
	waitFor(t, ctx, fmt.Sprintf(`document.querySelector('#import-history tbody tr')?.dataset.id === %q`, id))
	if !js[bool](t, ctx, `document.querySelector('#import-commit').disabled`) {
		t.Error("Import is still enabled once the file is imported")
	}
	var past struct {
		Items []struct {
			ID       int64  `json:"id"`
			Filename string `json:"filename"`
			Created  int    `json:"created"`
			SHA256   string `json:"sha256"`
		} `json:"items"`
	}
	admin := staffClient(t)
	admin.do(t, http.MethodGet, "/imports?limit=1", nil, &past)
	if len(past.Items) != 1 || fmt.Sprint(past.Items[0].ID) != id || past.Items[0].Created != 4 || past.Items[0].Filename != "statement.csv" {
		t.Errorf("GET /imports answers %+v, want import %s of statement.csv creating 4", past.Items, id)
	}
	screenshot(t, ctx, "console-import-done-en")

	// The same file again: a clean dry run of four duplicates, nothing to create.
	dryRun(t, ctx)
	if got := importCount(t, ctx, "duplicates") + "/" + importCount(t, ctx, "would_create"); got != "4/0" {
		t.Errorf("the same file again: duplicates/would_create %s, want 4/0", got)
	}

	// A commit the ledger refuses after a clean dry run (a rate recorded meanwhile): the 422's rows.
	fill(t, ctx, map[string]string{"#import-kind": "rates"})
	chooseImportFile(t, ctx, dir, "rates.csv", "currency,effective_on,units_per_usd,source\nNOK,2027-03-15,10.6,UN operational rate\n")
	if state := dryRun(t, ctx); state != "clean" {
		t.Fatalf("the rates dry run is %q: %v", state, errorRows(t, ctx))
	}
	var rate struct {
		ID int64 `json:"id"`
	}
	admin.do(t, http.MethodPost, "/exchange-rates", map[string]any{"currency": "NOK", "effective_on": "2027-03-15", "units_per_usd": "10.5"}, &rate)
	waitFor(t, ctx, `!document.querySelector('#import-commit').disabled`)
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#import-commit"))))
	waitFor(t, ctx, `document.querySelector('#import-result .import-refused')`)
	if rows := errorRows(t, ctx); len(rows) != 1 || !strings.HasPrefix(rows[0], "2|effective_on|effective_on") {
		t.Errorf("the refused commit lists %q, want row 2's effective_on", rows)
	}
	if !js[bool](t, ctx, `document.querySelector('#import-commit').disabled`) {
		t.Error("Import is enabled after a refused commit")
	}
	screenshot(t, ctx, "console-import-refused-en")
}

func TestConsoleImportTabInArabicAndFrench(t *testing.T) {
	want := map[string]struct{ dir, tab, check, row, column string }{
		"ar": {"rtl", "استيراد", "تحقّق من الملف (دون تسجيل)", "الصف", "العمود"},
		"fr": {"ltr", "Importer", "Vérifier le fichier (sans enregistrer)", "Ligne", "Colonne"},
	}
	for _, lang := range []string{"ar", "fr"} {
		t.Run(lang, func(t *testing.T) {
			w := want[lang]
			ctx := tab(t, desktop)
			signIn(t, ctx, lang)
			if got := js[string](t, ctx, `document.documentElement.dir`); got != w.dir {
				t.Errorf("dir = %q, want %s", got, w.dir)
			}
			if got := text(t, ctx, `[data-tab="imports"]`); got != w.tab {
				t.Errorf("the tab reads %q, want %q", got, w.tab)
			}
			openImportTab(t, ctx)
			if got := text(t, ctx, "#import-dry-run"); got != w.check {
				t.Errorf("the check button reads %q, want %q", got, w.check)
			}
			if href := js[string](t, ctx, `document.querySelector('#import-template-csv').getAttribute('href')`); !strings.HasSuffix(href, "lang="+lang) {
				t.Errorf("the template link %q is not in %s", href, lang)
			}
			// The template's own headers, filled with a bad amount: the error is shown in the page's language.
			header := js[string](t, ctx, `fetch(document.querySelector('#import-template-csv').href).then((r) => r.text()).then((s) => s.replace(/^\uFEFF/, '').trim())`)
			sep := ","
			if lang == "fr" {
				sep = ";"
			}
			cells := make([]string, len(strings.Split(header, sep)))
			copy(cells, []string{fundCode, "Kingdom of Morocco", "MA", "", "12x", "USD", "2026-04-10"})
			chooseImportFile(t, ctx, t.TempDir(), "releve-"+lang+".csv", header+"\n"+strings.Join(cells, sep)+"\n")
			if state := dryRun(t, ctx); state != "invalid" {
				t.Fatalf("the dry run is %q", state)
			}
			amount := strings.Split(header, sep)[4]
			rows := errorRows(t, ctx)
			if len(rows) != 1 || rows[0] != "2|"+amount+"|amount|2|"+amount {
				t.Errorf("errors %q, want row 2, column %q", rows, amount)
			}
			heads := js[string](t, ctx, `[...document.querySelectorAll('#import-result .import-errors thead th')].map((th) => th.textContent).join('|')`)
			if !strings.HasPrefix(heads, w.row+"|"+w.column+"|") {
				t.Errorf("the errors table's columns are %q", heads)
			}
			screenshot(t, ctx, "console-import-"+lang)
			checkAxe(t, ctx, "console import "+lang)
		})
	}
}

// The Import tab writes: a viewer does not get it; a fund manager does (its rows on other
// funds are row errors).
func TestConsoleImportTabByRole(t *testing.T) {
	ctx := tab(t, desktop)
	_, _, manager, viewer := accessWorld(t)
	signInAs(t, ctx, viewer)
	if js[bool](t, ctx, `Boolean(document.querySelector('[data-tab="imports"], #tab-imports, #import-form'))`) {
		t.Error("a viewer's console offers the Import tab")
	}
	signInAs(t, ctx, manager)
	openImportTab(t, ctx)
}
