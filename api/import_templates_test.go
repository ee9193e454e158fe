package api_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"github.com/xuri/excelize/v2"
)

// Issue 12: import templates, one per kind, CSV and XLSX, headers in the
// reader's language; a template filled in imports as it is.

// templateValues fill one row of each kind's template: valid on the fixture
// (fund "resilience", donors Kingdom of Morocco and Swiss Foundation).
var templateValues = map[string]map[string]string{
	"donors": {"name": "Fondation Émile Template", "kind": "foundation", "country_code": "FR", "anonymous": "false",
		"contact_email": "emile@example.org"},
	"pledges": {"fund_code": "resilience", "donor_name": "Kingdom of Morocco", "donor_country": "MA", "amount": "5000.50",
		"currency": "EUR", "pledged_on": "2025-07-30", "due_on": "2026-07-30", "stage": "pledge", "earmarking": "unearmarked",
		"reference": "TPL-P", "notes": "from the template"},
	"contributions": {"fund_code": "resilience", "donor_name": "swiss foundation", "amount": "1250.50", "currency": "CHF",
		"received_on": "2025-07-29", "reference": "TPL-C", "notes": "from the template"},
	"rates": {"currency": "GBP", "effective_on": "2025-02-01", "units_per_usd": "0.79", "source": "UN operational rate"},
}

func wantHeaders(kind, lang string) []string {
	var out []string
	for _, f := range models.ImportTemplateColumns(kind) {
		out = append(out, models.ImportHeader(f, lang))
	}
	return out
}

// readTemplateCSV reads a CSV template: its separator and header.
func readTemplateCSV(t *testing.T, raw []byte) (rune, []string) {
	t.Helper()
	if !bytes.HasPrefix(raw, []byte("\uFEFF")) {
		t.Errorf("the CSV template has no BOM: %q", raw)
	}
	raw = bytes.TrimPrefix(raw, []byte("\uFEFF"))
	sep := ','
	if bytes.Count(raw, []byte(";")) > bytes.Count(raw, []byte(",")) {
		sep = ';'
	}
	r := csv.NewReader(bytes.NewReader(raw))
	r.Comma = sep
	recs, err := r.ReadAll()
	if err != nil || len(recs) != 1 {
		t.Fatalf("the CSV template is %d records (%v), want the header only: %q", len(recs), err, raw)
	}
	return sep, recs[0]
}

func TestImportTemplatesEachKindLanguageAndFormat(t *testing.T) {
	f := newFixture(t)
	e := f.env
	for _, kind := range models.ImportKinds {
		for _, lang := range models.Languages {
			want := wantHeaders(kind, lang)
			// CSV.
			r := e.do("GET", "/api/v1/imports/templates/"+kind+".csv?lang="+lang, e.staff, nil).status(http.StatusOK)
			eq(t, "content type", r.header.Get("Content-Type"), "text/csv; charset=utf-8")
			eq(t, "disposition", r.header.Get("Content-Disposition"), `attachment; filename="import-`+kind+`-`+lang+`.csv"`)
			sep, got := readTemplateCSV(t, r.raw)
			eq(t, kind+" "+lang+" csv headers", strings.Join(got, "|"), strings.Join(want, "|"))
			eq(t, kind+" "+lang+" separator", string(sep), map[string]string{"en": ",", "fr": ";", "ar": ","}[lang])
			// XLSX: the header alone on the first sheet, an explanation on the second.
			r = e.do("GET", "/api/v1/imports/templates/"+kind+".xlsx?lang="+lang, e.staff, nil).status(http.StatusOK)
			eq(t, "content type", r.header.Get("Content-Type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
			x, err := excelize.OpenReader(bytes.NewReader(r.raw))
			if err != nil {
				t.Fatalf("%s %s: the XLSX template does not open: %v", kind, lang, err)
			}
			sheets := x.GetSheetList()
			if len(sheets) != 2 {
				t.Fatalf("%s %s: sheets %v, want the template and its explanation", kind, lang, sheets)
			}
			rows, _ := x.GetRows(sheets[0])
			if len(rows) != 1 {
				t.Errorf("%s %s: the first sheet has %d rows, want the header only", kind, lang, len(rows))
			}
			eq(t, kind+" "+lang+" xlsx headers", strings.Join(rows[0], "|"), strings.Join(want, "|"))
			view, _ := x.GetSheetView(sheets[0], 0)
			eq(t, kind+" "+lang+" right to left", view.RightToLeft != nil && *view.RightToLeft, lang == "ar")
			help, _ := x.GetRows(sheets[1])
			explained := map[string]bool{}
			for _, row := range help {
				if len(row) >= 4 && row[3] != "" && !strings.HasPrefix(row[3], "template.") {
					explained[row[1]] = true
				}
			}
			for _, field := range models.ImportTemplateColumns(kind) {
				if !explained[field] {
					t.Errorf("%s %s: the explanation sheet does not explain %s", kind, lang, field)
				}
			}
			x.Close()
		}
	}
	// Accept-Language chooses the language when ?lang= does not.
	r := e.do("GET", "/api/v1/imports/templates/contributions.csv", e.staff, nil, "Accept-Language", "fr-CA,fr;q=0.9").status(http.StatusOK)
	_, got := readTemplateCSV(t, r.raw)
	eq(t, "Accept-Language fr", strings.Join(got, "|"), strings.Join(wantHeaders("contributions", "fr"), "|"))
	eq(t, "Content-Language", r.header.Get("Content-Language"), "fr")
	// A viewer downloads templates too (every role reads); an unknown kind or format is a 404.
	e.do("GET", "/api/v1/imports/templates/contributions.csv", "", nil).status(http.StatusUnauthorized)
	e.do("GET", "/api/v1/imports/templates/grants.csv", e.staff, nil).fails(http.StatusNotFound, "not_found", "")
	e.do("GET", "/api/v1/imports/templates/donors.pdf", e.staff, nil).fails(http.StatusNotFound, "not_found", "")
	e.do("GET", "/api/v1/imports/templates/donors", e.staff, nil).fails(http.StatusNotFound, "not_found", "")
}

// Download the template, fill a row, dry-run it: valid, in every language
// and both formats; then commit the French one.
func TestImportTemplateRoundTrip(t *testing.T) {
	f := newFixture(t)
	e := f.env
	for _, kind := range models.ImportKinds {
		for _, lang := range models.Languages {
			cols := models.ImportTemplateColumns(kind)
			vals := templateValues[kind]
			// CSV: the row appended with the template's separator (a decimal comma in French).
			r := e.do("GET", "/api/v1/imports/templates/"+kind+".csv?lang="+lang, e.staff, nil).status(http.StatusOK)
			sep, _ := readTemplateCSV(t, r.raw)
			cells := make([]string, len(cols))
			for i, c := range cols {
				cells[i] = vals[c]
				if sep == ';' && (c == "amount" || c == "units_per_usd") {
					cells[i] = strings.Replace(cells[i], ".", ",", 1)
				}
			}
			file := append(append([]byte{}, r.raw...), []byte(strings.Join(cells, string(sep))+"\r\n")...)
			d := e.importFile(e.staff, kind, "dry_run", "filled.csv", file, "").status(http.StatusOK)
			eq(t, kind+" "+lang+" csv errors", strings.Join(rowErrors(d), "|"), "")
			eq(t, kind+" "+lang+" csv valid", num(d, "valid"), 1)
			eq(t, kind+" "+lang+" csv would_create or duplicate", num(d, "would_create")+num(d, "duplicates"), 1)

			// XLSX: typed as a person would: numbers as numbers, dates as date cells.
			r = e.do("GET", "/api/v1/imports/templates/"+kind+".xlsx?lang="+lang, e.staff, nil).status(http.StatusOK)
			x, err := excelize.OpenReader(bytes.NewReader(r.raw))
			if err != nil {
				t.Fatal(err)
			}
			sh := x.GetSheetName(0)
			for i, c := range cols {
				v := vals[c]
				if v == "" {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(i+1, 2)
				var value any = v
				switch c {
				case "amount", "units_per_usd":
					n, _ := strconv.ParseFloat(v, 64)
					value = n
				case "pledged_on", "due_on", "received_on", "effective_on":
					day, _ := time.Parse("2006-01-02", v)
					value = day
				}
				if err := x.SetCellValue(sh, cell, value); err != nil {
					t.Fatal(err)
				}
			}
			var buf bytes.Buffer
			if err := x.Write(&buf); err != nil {
				t.Fatal(err)
			}
			x.Close()
			d = e.importFile(e.staff, kind, "dry_run", "filled.xlsx", buf.Bytes(), "").status(http.StatusOK)
			eq(t, kind+" "+lang+" xlsx errors", strings.Join(rowErrors(d), "|"), "")
			eq(t, kind+" "+lang+" xlsx valid", num(d, "valid"), 1)
			if lang == "fr" {
				c := e.importFile(e.staff, kind, "commit", "filled.xlsx", buf.Bytes(), "").status(http.StatusCreated)
				eq(t, kind+" created", num(c, "created"), 1)
			}
		}
	}
	// What the French XLSX created is what was typed.
	for _, it := range e.do("GET", "/api/v1/contributions?limit=10", e.staff, nil).status(200).items() {
		if it["reference"] == "TPL-C" {
			eq(t, "amount", it["amount"], "1250.50")
			eq(t, "received_on", it["received_on"], "2025-07-29")
		}
	}
}

// Our XLSX exports in French and Arabic re-import as they are: their translated column
// names are read: every row is valid.
func TestImportTranslatedXLSXExports(t *testing.T) {
	f := newFixture(t)
	e := f.env
	p := f.pledge(f.morocco, "1000.00", "EUR", "2025-07-01", "reference", "XP-1").status(201).id()
	f.pay(f.morocco, p, "250.00", "EUR", "2025-07-29").status(201)
	f.pay(f.swiss, nil, "100.00", "CHF", "2025-07-30").status(201)
	for _, lang := range []string{"fr", "ar"} {
		for _, kind := range []string{"pledges", "contributions"} {
			x := e.do("GET", "/api/v1/exports/"+kind+".xlsx?lang="+lang, e.staff, nil).status(http.StatusOK)
			r := e.importFile(e.staff, kind, "dry_run", kind+"-"+lang+".xlsx", x.raw, "").status(http.StatusOK)
			eq(t, kind+" "+lang+" errors", strings.Join(rowErrors(r), "|"), "")
			eq(t, kind+" "+lang+" valid", num(r, "valid"), num(r, "rows"))
			eq(t, kind+" "+lang+" rows", num(r, "rows") > 0, true)
		}
	}
}
