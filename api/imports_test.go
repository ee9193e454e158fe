package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fundtracker/fundtracker/api"
	"github.com/xuri/excelize/v2"
)

func apiConfigImportMax(n int64) api.Config {
	return api.Config{MetricsToken: testMetricsToken, ImportMaxBytes: n}
}

// Issue 12: imports from spreadsheets, through the real server.

func (e *env) importFile(token, kind, mode, filename string, content []byte, mapping string) *response {
	e.t.Helper()
	extra := map[string]string{}
	if mode != "" {
		extra["mode"] = mode
	}
	if mapping != "" {
		extra["mapping"] = mapping
	}
	return e.upload("/api/v1/imports", token, kind, filename, content, extra)
}

func num(r *response, key string) int {
	r.t.Helper()
	v, ok := r.body[key].(float64)
	if !ok {
		r.t.Fatalf("%q is not a number in %s", key, r.raw)
	}
	return int(v)
}

// rowErrors lists an answer's errors as "row column field".
func rowErrors(r *response) []string {
	r.t.Helper()
	list, _ := r.body["errors"].([]any)
	out := make([]string, 0, len(list))
	for _, v := range list {
		m := v.(map[string]any)
		out = append(out, fmt.Sprintf("%v %v %v", m["row"], m["column"], m["field"]))
	}
	return out
}

func TestImportEachKind(t *testing.T) {
	f := newFixture(t)
	e := f.env
	// Donors.
	donors := []byte("name,kind,country_code\nRepublic of Chad,government,TD\nFondation Émile,foundation,FR\n")
	r := e.importFile(e.staff, "donors", "", "donors.csv", donors, "").status(http.StatusOK)
	eq(t, "rows", num(r, "rows"), 2)
	eq(t, "would_create", num(r, "would_create"), 2)
	before := e.counts()
	e.unchanged(before, "a dry run")
	r = e.importFile(e.staff, "donors", "commit", "donors.csv", donors, "").status(http.StatusCreated)
	eq(t, "created", num(r, "created"), 2)
	eq(t, "sha256", len(r.str("sha256")), 64)
	donorsID := r.id()
	eq(t, "donors", len(e.do("GET", "/api/v1/donors?limit=100", e.staff, nil).status(200).items()), 5)
	// Rates.
	rates := []byte("currency,effective_on,units_per_usd,source\nGBP,2025-01-01,0.79,UN operational rate\nEUR,2025-07-01,0.86,UN operational rate\n")
	r = e.importFile(e.staff, "rates", "commit", "rates.csv", rates, "").status(http.StatusCreated)
	eq(t, "created", num(r, "created"), 2)
	eq(t, "GBP rates", len(e.do("GET", "/api/v1/exchange-rates?currency=GBP", e.staff, nil).status(200).items()), 1)
	// Pledges, by fund code and donor name (accent- and case-insensitive).
	pledges := []byte("Fund_Code,Donor Name,donor_country,amount,currency,pledged_on,due_on,reference\n" +
		"resilience,kingdom of morocco,MA,1000000.00,USD,2025-07-29,2026-07-29,MA-2025\n" +
		"resilience,Fondation Emile,FR,50000.00,EUR,2025-08-01,,FE-1\n")
	r = e.importFile(e.staff, "pledges", "dry_run", "pledges.csv", pledges, "").status(http.StatusOK)
	eq(t, "errors", len(rowErrors(r)), 0)
	eq(t, "totals", fmt.Sprint(r.body["totals"]), "map[amount_usd:1058139.53 by_currency:[map[amount:50000.00 currency:EUR] map[amount:1000000.00 currency:USD]]]")
	r = e.importFile(e.staff, "pledges", "commit", "pledges.csv", pledges, "").status(http.StatusCreated)
	eq(t, "created", num(r, "created"), 2)
	eq(t, "outstanding", f.progress("").body["outstanding_pledges"], "1058139.53")
	// Contributions: two payments on the same pledge, the second depending on the first.
	pays := []byte("fund_code,donor_name,pledge_reference,amount,currency,received_on,reference\n" +
		"resilience,Kingdom of Morocco,MA-2025,600000.00,USD,2025-08-01,TT-1\n" +
		"resilience,Kingdom of Morocco,MA-2025,400000.00,USD,2025-09-01,TT-2\n")
	r = e.importFile(e.staff, "contributions", "commit", "statement.csv", pays, "").status(http.StatusCreated)
	eq(t, "created", num(r, "created"), 2)
	importID := r.id()
	p := f.progress("")
	eq(t, "paid", p.body["paid"], "1000000.00")
	eq(t, "outstanding", p.body["outstanding_pledges"], "58139.53")
	pl := e.do("GET", "/api/v1/pledges?limit=10", e.staff, nil).status(200).items()
	for _, x := range pl {
		if x["reference"] == "MA-2025" {
			eq(t, "status", x["status"], "fulfilled")
		}
	}
	// A third payment would overpay: refused, with the API's own text.
	over := []byte("fund_code,donor_name,pledge_reference,amount,currency,received_on\nresilience,Kingdom of Morocco,MA-2025,1.00,USD,2025-09-02\n")
	r = e.importFile(e.staff, "contributions", "dry_run", "over.csv", over, "").status(http.StatusOK)
	eq(t, "invalid", num(r, "invalid"), 1)
	// The audit trail: every record, action import, with the import id.
	audit := e.do("GET", "/api/v1/audit?action=import&entity=contribution", e.admin, nil).status(200).items()
	eq(t, "audited contributions", len(audit), 2)
	if !strings.Contains(fmt.Sprint(audit[0]["after"]), fmt.Sprintf("import_id:%d", importID)) {
		t.Fatalf("audit row without the import id: %v", audit[0])
	}
	e.do("GET", "/api/v1/audit?action=import&entity=import", e.admin, nil).status(200)
	// The list of imports, and one import.
	list := e.do("GET", "/api/v1/imports", e.staff, nil).status(200).items()
	eq(t, "imports", len(list), 4)
	one := e.do("GET", fmt.Sprintf("/api/v1/imports/%d", donorsID), e.staff, nil).status(200)
	eq(t, "filename", one.body["filename"], "donors.csv")
	eq(t, "kind", one.body["kind"], "donors")
	eq(t, "created", num(one, "created"), 2)
	e.do("GET", "/api/v1/imports/999999", e.staff, nil).fails(404, "not_found", "")
	sameAfterRebuild(t, e, "resilience")
}

func TestImportBadRowsWriteNothing(t *testing.T) {
	f := newFixture(t)
	e := f.env
	e.do("POST", "/api/v1/donors", e.staff, map[string]any{"name": "Ministry of Finance", "kind": "government", "country_code": "MA"}).status(201)
	e.do("POST", "/api/v1/donors", e.staff, map[string]any{"name": "Ministry of Finance", "kind": "government", "country_code": "FR"}).status(201)
	f.pledge(f.morocco, "1000.00", "USD", "2025-07-29", "reference", "MA-1").status(201)
	file := "fund_code,donor_name,pledge_reference,amount,currency,received_on,exchange_rate,earmarking\n" +
		"resilience,Kingdom of Morocco,,abc,USD,2025-08-01,,\n" + // 2 amount not a decimal
		"resilience,Kingdom of Morocco,,-5,USD,2025-08-01,,\n" + // 3 negative
		"resilience,Kingdom of Morocco,,10.00,XXX,2025-08-01,,\n" + // 4 unknown currency
		"resilience,Kingdom of Morocco,,10.00,USD,2025-13-01,,\n" + // 5 no such date
		"resilience,Kingdom of Morocco,,10.00,USD,2999-01-01,,\n" + // 6 future
		"nope,Kingdom of Morocco,,10.00,USD,2025-08-01,,\n" + // 7 unknown fund
		"resilience,Nobody,,10.00,USD,2025-08-01,,\n" + // 8 unknown donor
		"resilience,Ministry of Finance,,10.00,USD,2025-08-01,,\n" + // 9 several donors
		"resilience,Kingdom of Morocco,NOPE,10.00,USD,2025-08-01,,\n" + // 10 unknown pledge
		"resilience,Kingdom of Morocco,,12.345,USD,2025-08-01,,\n" + // 11 too many decimals
		"resilience,Kingdom of Morocco,,10.00,GBP,2025-08-01,,\n" + // 12 no rate in force
		"resilience,Kingdom of Morocco,,10.00,USD,2025-08-01,,sometimes\n" + // 13 bad earmarking
		"resilience,Kingdom of Morocco,,10.00,EUR,2025-08-01,0,\n" + // 14 zero rate
		"resilience,Kingdom of Morocco,,10.00,USD,2025-08-01,,\n" + // 15 valid
		"resilience,Kingdom of Morocco,,abc,USD,2025-02-30,,\n" // 16 two problems
	before := e.counts()
	r := e.importFile(e.staff, "contributions", "", "bad.csv", []byte(file), "").status(http.StatusOK)
	want := []string{"2 amount amount", "3 amount amount", "4 currency currency", "5 received_on received_on",
		"6 received_on received_on", "7 fund_code fund_id", "8 donor_name donor_id", "9 donor_name donor_id",
		"10 pledge_reference pledge_id", "11 amount amount", "12 exchange_rate exchange_rate", "13 earmarking earmarking",
		"14 exchange_rate exchange_rate", "16 amount amount", "16 received_on received_on"}
	eq(t, "errors", strings.Join(rowErrors(r), "|"), strings.Join(want, "|"))
	eq(t, "rows", num(r, "rows"), 15)
	eq(t, "valid", num(r, "valid"), 1)
	eq(t, "invalid", num(r, "invalid"), 14)
	eq(t, "would_create", num(r, "would_create"), 1)
	errs := r.body["errors"].([]any)
	// The problem texts are the API's for the same field.
	api := f.pay(f.morocco, nil, "abc", "USD", "2025-08-01").fails(422, "validation_failed", "amount")
	eq(t, "problem", errs[0].(map[string]any)["problem"], api.body["error"].(map[string]any)["fields"].(map[string]any)["amount"])
	// The candidates are named.
	for _, v := range errs {
		m := v.(map[string]any)
		if m["row"].(float64) == 9 && !strings.Contains(m["problem"].(string), "(FR, id") {
			t.Fatalf("ambiguous donor without its candidates: %v", m)
		}
	}
	e.unchanged(before, "a dry run")
	c := e.importFile(e.staff, "contributions", "commit", "bad.csv", []byte(file), "").fails(422, "validation_failed", "")
	eq(t, "commit errors", strings.Join(rowErrors(c), "|"), strings.Join(want, "|"))
	e.unchanged(before, "a refused commit")
	// The form itself.
	e.importFile(e.staff, "grants", "", "x.csv", []byte("a\n1\n"), "").fails(422, "validation_failed", "kind")
	e.importFile(e.staff, "donors", "maybe", "x.csv", []byte("a\n1\n"), "").fails(422, "validation_failed", "mode")
	e.importFile(e.staff, "donors", "", "x.csv", []byte("a\n1\n"), `{"a": "colour"}`).fails(422, "validation_failed", "mapping")
	e.importFile(e.staff, "donors", "", "x.csv", []byte("a\n1\n"), `[1]`).fails(422, "validation_failed", "mapping")
	// A viewer imports nothing.
	e.do("POST", "/api/v1/users", e.admin, map[string]any{"email": "viewer@example.org", "password": password, "role": "viewer"}).status(201)
	e.importFile(e.login("viewer@example.org", password), "donors", "", "x.csv", []byte("name\nX\n"), "").fails(403, "forbidden", "")
}

func TestImportReimportAndOverlappingStatement(t *testing.T) {
	f := newFixture(t)
	e := f.env
	head := "fund_code,donor_name,amount,currency,received_on,reference\n"
	a := "resilience,Kingdom of Morocco,100.00,USD,2025-08-01,TT-1\n"
	b := "resilience,Swiss Foundation,92.00,EUR,2025-08-02,TT-2\n"
	c := "resilience,Kingdom of Morocco,50.00,USD,2025-08-03,TT-3\n"
	d := "resilience,Kingdom of Morocco,50.00,USD,2025-08-03,TT-3\n" // the same payment twice on the statement: both kept
	x := "resilience,Swiss Foundation,10.00,CHF,2025-08-05,TT-4\n"
	july := []byte(head + a + b + c)
	r := e.importFile(e.staff, "contributions", "commit", "july.csv", july, "").status(http.StatusCreated)
	eq(t, "created", num(r, "created"), 3)
	before := e.counts()
	r = e.importFile(e.staff, "contributions", "dry_run", "july.csv", july, "").status(http.StatusOK)
	eq(t, "duplicates", num(r, "duplicates"), 3)
	eq(t, "would_create", num(r, "would_create"), 0)
	eq(t, "totals", fmt.Sprint(r.body["totals"]), "map[amount_usd:252.22 by_currency:[map[amount:92.00 currency:EUR] map[amount:150.00 currency:USD]]]")
	r = e.importFile(e.staff, "contributions", "commit", "july.csv", july, "").status(http.StatusCreated)
	eq(t, "created", num(r, "created"), 0)
	eq(t, "duplicates", num(r, "duplicates"), 3)
	after := e.counts()
	for _, table := range []string{"contributions", "fund_totals", "fund_day_totals", "import_rows"} {
		eq(t, table, after[table], before[table])
	}
	eq(t, "paid", f.progress("").body["paid"], "252.22")
	august := []byte(head + b + c + d + x)
	r = e.importFile(e.staff, "contributions", "commit", "august.csv", august, "").status(http.StatusCreated)
	eq(t, "created", num(r, "created"), 2)
	eq(t, "duplicates", num(r, "duplicates"), 2)
	eq(t, "contributions", len(e.do("GET", "/api/v1/contributions?limit=100", e.staff, nil).status(200).items()), 5)
	eq(t, "paid", f.progress("").body["paid"], "313.58")
	sameAfterRebuild(t, e, "resilience")
}

func TestImportXLSXNumericAndDateCells(t *testing.T) {
	f := newFixture(t)
	e := f.env
	x := excelize.NewFile()
	sh := x.GetSheetName(0)
	for i, h := range []string{"Fund", "Donor", "Amount", "Currency", "Received on", "Reference"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		x.SetCellValue(sh, cell, h)
	}
	money, _ := x.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	date, _ := x.NewStyle(&excelize.Style{CustomNumFmt: ptrTo("dd/mm/yyyy")})
	rows := [][]any{
		{"resilience", "Kingdom of Morocco", 1250.5, "USD", time.Date(2025, 7, 29, 0, 0, 0, 0, time.UTC), "TT-1"},
		{"resilience", "Swiss Foundation", 9200, "EUR", "2025-08-01", "TT-2"},
		{"resilience", "Swiss Foundation", 10, "EUR", 20250801, "TT-3"}, // a number typed into the date column
	}
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
			x.SetCellValue(sh, cell, v)
			switch c {
			case 2:
				x.SetCellStyle(sh, cell, cell, money)
			case 4:
				if _, ok := v.(time.Time); ok {
					x.SetCellStyle(sh, cell, cell, date)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	mapping := `{"Fund": "fund_code", "Donor": "donor_name"}`
	r := e.importFile(e.staff, "contributions", "", "statement.xlsx", buf.Bytes(), mapping).status(http.StatusOK)
	eq(t, "errors", strings.Join(rowErrors(r), "|"), "4 Received on received_on")
	// Without the bad row, the file commits.
	x.RemoveRow(sh, 4)
	buf.Reset()
	x.Write(&buf)
	r = e.importFile(e.staff, "contributions", "commit", "statement.xlsx", buf.Bytes(), mapping).status(http.StatusCreated)
	eq(t, "created", num(r, "created"), 2)
	items := e.do("GET", "/api/v1/contributions?limit=10", e.staff, nil).status(200).items()
	got := map[string]string{}
	for _, it := range items {
		got[it["reference"].(string)] = fmt.Sprint(it["amount"], " ", it["currency"], " ", it["received_on"])
	}
	eq(t, "TT-1", got["TT-1"], "1250.50 USD 2025-07-29")
	eq(t, "TT-2", got["TT-2"], "9200.00 EUR 2025-08-01")
}

func ptrTo[T any](v T) *T { return &v }

func TestImportFrenchSemicolonCSVWithBOM(t *testing.T) {
	f := newFixture(t)
	e := f.env
	file := "\uFEFFFonds;Donateur;Pays du donateur;Montant;Devise;Reçu le;Référence;Notes\r\n" +
		"resilience;Kingdom of Morocco;MA;1250,50;EUR;2025-07-29;VIR-0729;Premier versement, merci\r\n" +
		"resilience;Swiss Foundation;CH;300;CHF;2025-07-30;VIR-0730;\r\n"
	mapping := `{"Fonds": "fund_code", "Donateur": "donor_name", "Pays du donateur": "donor_country", "Montant": "amount", "Devise": "currency", "Reçu le": "received_on"}`
	r := e.importFile(e.staff, "contributions", "commit", "relevé.csv", []byte(file), mapping).status(http.StatusCreated)
	eq(t, "created", num(r, "created"), 2)
	eq(t, "totals", fmt.Sprint(r.body["totals"]), "map[amount_usd:1730.35 by_currency:[map[amount:300.00 currency:CHF] map[amount:1250.50 currency:EUR]]]")
	items := e.do("GET", "/api/v1/contributions?limit=10", e.staff, nil).status(200).items()
	for _, it := range items {
		if it["reference"] == "VIR-0729" {
			eq(t, "amount", it["amount"], "1250.50")
			eq(t, "notes", it["notes"], "Premier versement, merci")
		}
	}
}

// Our own exports, re-imported into an empty ledger, give the same progress,
// breakdown and timeline.
func TestImportOwnExportsIntoEmptyLedger(t *testing.T) {
	f := newFixture(t)
	src := f.env
	mk := func(e *env) {
		e.do("POST", "/api/v1/funds", e.admin, map[string]any{"code": "resilience", "name": "Resilience Fund",
			"organization": "IOM", "target_usd": "1000000.00", "opens_on": "2024-07-01"}).status(201)
	}
	p1 := f.pledge(f.morocco, "500000.00", "USD", "2025-07-29", "due_on", "2026-01-31", "reference", "MA-1").status(201).id()
	p2 := f.pledge(f.swiss, "90000.00", "EUR", "2025-08-01", "earmarking", "softly_earmarked", "reference", "CH-2").status(201).id()
	f.pay(f.morocco, p1, "200000.00", "USD", "2025-08-15").status(201)
	f.pay(f.swiss, p2, "45000.00", "EUR", "2025-09-01").status(201)
	f.pay(f.swiss, nil, "8800.00", "CHF", "2025-09-10").status(201)
	get := func(e *env, path string) string { return string(e.do("GET", path, e.staff, nil).status(200).raw) }
	donorsCSV := get(src, "/api/v1/funds/resilience/donors.csv")
	pledgesCSV := get(src, "/api/v1/exports/pledges.csv?voided=exclude")
	paysCSV := get(src, "/api/v1/exports/contributions.csv?voided=exclude")

	dst := newEnv(t)
	// The target's ids differ from the source's: the exports' ids must not be
	// read as the target's (names and references decide).
	other := dst.do("POST", "/api/v1/funds", dst.admin, map[string]any{"code": "other", "name": "Other", "target_usd": "1000.00"}).status(201).id()
	stranger := dst.do("POST", "/api/v1/donors", dst.staff, map[string]any{"name": "Unrelated donor", "kind": "other"}).status(201).id()
	dst.do("POST", "/api/v1/pledges", dst.staff, map[string]any{"fund_id": other, "donor_id": stranger, "amount": "10.00",
		"currency": "USD", "pledged_on": "2025-07-01"}).status(201)
	mk(dst)
	rates := "currency,effective_on,units_per_usd,source\nEUR,2024-01-01,0.92,UN\nEUR,2024-07-01,0.9,UN\nCHF,2024-01-01,0.88,UN\n"
	dst.importFile(dst.staff, "rates", "commit", "rates.csv", []byte(rates), "").status(http.StatusCreated)
	dst.importFile(dst.staff, "donors", "commit", "donors.csv", []byte(donorsCSV), "").status(http.StatusCreated)
	dst.importFile(dst.staff, "pledges", "commit", "pledges.csv", []byte(pledgesCSV), "").status(http.StatusCreated)
	r := dst.importFile(dst.staff, "contributions", "commit", "contributions.csv", []byte(paysCSV), "").status(http.StatusCreated)
	eq(t, "created", num(r, "created"), 3)
	for _, path := range []string{"/api/v1/funds/resilience/progress", "/api/v1/funds/resilience/donors", "/api/v1/funds/resilience/timeline"} {
		a := get(src, path)
		b := strings.ReplaceAll(get(dst, path), fmt.Sprintf(`"id":%d`, other+1), fmt.Sprintf(`"id":%d`, f.fund))
		b = strings.ReplaceAll(b, fmt.Sprintf(`"fund_id":%d`, other+1), fmt.Sprintf(`"fund_id":%d`, f.fund))
		for i, d := range []int64{f.morocco, f.swiss, f.anon} { // the target's donor ids, in the order imported
			b = strings.ReplaceAll(b, fmt.Sprintf(`"donor_id":%d`, stranger+1+int64(i)), fmt.Sprintf(`"donor_id":%d`, d))
		}
		if a != b {
			t.Errorf("%s differs:\n%s\n%s", path, a, b)
		}
	}
	// And again: nothing more.
	r = dst.importFile(dst.staff, "contributions", "commit", "contributions.csv", []byte(paysCSV), "").status(http.StatusCreated)
	eq(t, "created again", num(r, "created"), 0)
}

func TestImportBodyLimit(t *testing.T) {
	e := newEnvConfig(t, apiConfigImportMax(2048), nil)
	big := bytes.Repeat([]byte("name\nX\n"), 1000)
	e.importFile(e.staff, "donors", "", "big.csv", big, "").fails(http.StatusRequestEntityTooLarge, "payload_too_large", "")
	// Beyond the global 1 MiB: imports have their own limit.
	e2 := newEnv(t)
	large := bytes.Repeat([]byte("x"), 2<<20)
	file := append([]byte("name,kind,notes_ignored\n"), []byte("Big Donor,foundation,"+string(large)+"\n")...)
	r := e2.importFile(e2.staff, "donors", "", "large.csv", file, "").status(http.StatusOK)
	eq(t, "would_create", num(r, "would_create"), 1)
}

// sameAfterRebuild checks that the aggregates an import wrote equal a full rebuild from the records.
func sameAfterRebuild(t *testing.T, e *env, fund string) {
	t.Helper()
	paths := []string{"/api/v1/funds/" + fund + "/progress", "/api/v1/funds/" + fund + "/donors", "/api/v1/funds/" + fund + "/timeline"}
	before := make([]string, len(paths))
	for i, p := range paths {
		before[i] = string(e.do("GET", p, "", nil).status(200).raw)
	}
	if err := e.store.RebuildAggregates(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i, p := range paths {
		if after := string(e.do("GET", p, "", nil).status(200).raw); after != before[i] {
			t.Fatalf("%s after a rebuild:\n%s\nbefore:\n%s", p, after, before[i])
		}
	}
}

func TestImportFundScopedRowsAndReplay(t *testing.T) {
	f := newFixture(t)
	e := f.env
	e.do("POST", "/api/v1/funds", e.admin, map[string]any{"code": "other", "name": "Other Fund", "organization": "IOM",
		"target_usd": "1000.00", "opens_on": "2024-07-01"}).status(201)
	e.do("POST", "/api/v1/users", e.admin, map[string]any{"email": "manager@example.org", "password": password, "role": "fund_manager",
		"fund_ids": []int64{f.fund}}).status(201)
	manager := e.login("manager@example.org", password)
	file := []byte("fund_code,donor_name,amount,currency,received_on\n" +
		"resilience,Kingdom of Morocco,10.00,USD,2025-08-01\n" +
		"other,Kingdom of Morocco,10.00,USD,2025-08-01\n")
	r := e.importFile(manager, "contributions", "", "s.csv", file, "").status(http.StatusOK)
	eq(t, "errors", strings.Join(rowErrors(r), "|"), "3 fund_code fund_id")
	// Donors and rates are shared: a fund manager imports them.
	e.importFile(manager, "donors", "commit", "d.csv", []byte("name,kind\nNew Donor,ngo\n"), "").status(http.StatusCreated)
	// A retried commit with the same Idempotency-Key answers the first answer.
	ok := []byte("fund_code,donor_name,amount,currency,received_on\nresilience,Kingdom of Morocco,10.00,USD,2025-08-01\n")
	body, ct := multipartBody("contributions", "s.csv", ok, map[string]string{"mode": "commit"})
	first := e.do("POST", "/api/v1/imports", manager, string(body), "Content-Type", ct, "Idempotency-Key", "stmt-1").status(http.StatusCreated)
	again := e.do("POST", "/api/v1/imports", manager, string(body), "Content-Type", ct, "Idempotency-Key", "stmt-1").status(http.StatusCreated)
	eq(t, "replayed", again.header.Get("Idempotent-Replayed"), "true")
	eq(t, "same import", again.id(), first.id())
	eq(t, "created", num(again, "created"), 1)
	eq(t, "imports", len(e.do("GET", "/api/v1/imports", e.staff, nil).status(200).items()), 2)
	sameAfterRebuild(t, e, "resilience")
}

func TestImportDonorsAlreadyRecorded(t *testing.T) {
	f := newFixture(t)
	e := f.env
	file := []byte("name,kind,country_code\nKINGDOM OF MOROCCO,government,MA\nNew Donor,ngo,SN\nNew Donor,ngo,SN\nKingdom of Morocco,government,FR\n")
	r := e.importFile(e.staff, "donors", "commit", "d.csv", file, "").status(http.StatusCreated)
	eq(t, "created", num(r, "created"), 2)
	eq(t, "duplicates", num(r, "duplicates"), 2)
}

// A statement of several chunks (500 rows each), on 3,000 days over eight
// years: all written, in one transaction, on both engines (review: the
// pipelined writer must not share PostgreSQL's connection with the decision).
func TestImportManyChunks(t *testing.T) {
	f := newFixture(t)
	var b strings.Builder
	b.WriteString("fund_code,donor_name,amount,currency,received_on,reference\n")
	day := time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 4000; i++ {
		donor := "Kingdom of Morocco"
		if i%2 == 0 {
			donor = "Swiss Foundation"
		}
		fmt.Fprintf(&b, "resilience,%s,%d.%02d,USD,%s,BANK-%d\n", donor, 1+i%97, i%100, day.AddDate(0, 0, i%3000).Format("2006-01-02"), i)
	}
	r := f.env.importFile(f.staff, "contributions", "commit", "many.csv", []byte(b.String()), "").status(http.StatusCreated)
	eq(t, "created", num(r, "created"), 4000)
	sameAfterRebuild(t, f.env, "resilience")
}

// A row's problem names the cell it used: the id's own column for a bad id,
// the name's or reference's when that decided (final review).
func TestImportErrorsNameTheCellUsed(t *testing.T) {
	f := newFixture(t)
	file := "fund_code,donor_name,donor_id,pledge_reference,pledge_id,amount,currency,received_on\n" +
		"resilience,,abc,,,10.00,USD,2025-08-01\n" + // row 2: donor_id's format
		"resilience,Kingdom of Morocco,-5,,,10.00,USD,2025-08-01\n" + // row 3: donor_id's format, though a name is given
		"resilience,Kingdom of Morocco,,,xyz,10.00,USD,2025-08-01\n" + // row 4: pledge_id's format
		"resilience,Nobody,,NO-SUCH,,10.00,USD,2025-08-01\n" // row 5: the name and the reference decided
	r := f.env.importFile(f.staff, "contributions", "dry_run", "cells.csv", []byte(file), "").status(http.StatusOK)
	eq(t, "errors", fmt.Sprint(rowErrors(r)), "[2 donor_id donor_id 3 donor_id donor_id 4 pledge_id pledge_id 5 donor_name donor_id 5 pledge_reference pledge_id]")
}
