package api_test

// Issue 13: Excel workbooks, ?voided= and the new CSV columns, IATI 2.03 and
// OCHA FTS, through a real in-process server.

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fundtracker/fundtracker/handlers"
	"github.com/fundtracker/fundtracker/seed"
	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// ledger13 is a fixture with every kind of record the reports tell apart:
// pledges at both stages, a cancelled pledge, a payment at another rate than
// its pledge's, a voided contribution, an anonymous donor, three currencies
// with 0, 2 and 3 decimals, and text a spreadsheet would run as a formula.
type ledger13 struct {
	*fixture
	pledgeCommit, pledgePledge, pledgeCancelled int64
	paidEUR, giftJPY, giftKWD, voidedUSD        int64
}

func newLedger13(t *testing.T) *ledger13 {
	f := &ledger13{fixture: newFixture(t)}
	f.pledgeCommit = f.pledge(f.swiss, "100000.00", "EUR", "2024-08-01", "stage", "commitment", "earmarking", "softly_earmarked").status(201).id()
	f.pledgePledge = f.pledge(f.morocco, "50000.00", "USD", "2024-08-05", "stage", "pledge", "earmarking", "earmarked").status(201).id()
	f.pledgeCancelled = f.pledge(f.morocco, "7000.00", "USD", "2024-08-06").status(201).id()
	f.do("POST", fmt.Sprintf("/api/v1/pledges/%d/cancel", f.pledgeCancelled), f.staff, map[string]any{"reason": "Withdrawn"}).status(200)
	f.paidEUR = f.do("POST", "/api/v1/contributions", f.staff, map[string]any{"pledge_id": f.pledgeCommit, "amount": "30000.00",
		"received_on": "2024-09-15", "exchange_rate": "0.8", "notes": "=SUM(A1:A9)", "reference": "+41 wire"}).status(201).id()
	f.giftJPY = f.pay(f.anon, nil, "1500000", "JPY", "2024-10-01").status(201).id()
	f.giftKWD = f.pay(f.swiss, nil, "1234.567", "KWD", "2024-10-02").status(201).id()
	f.voidedUSD = f.pay(f.morocco, nil, "999.99", "USD", "2024-10-03").status(201).id()
	f.do("POST", fmt.Sprintf("/api/v1/contributions/%d/void", f.voidedUSD), f.staff, map[string]any{"reason": "Duplicate"}).status(200)
	return f
}

func (f *ledger13) setIATI() {
	f.do("PATCH", fmt.Sprintf("/api/v1/funds/%d", f.fund), f.admin, map[string]any{"iati_identifier": "XM-DAC-47066-RF",
		"iati_reporting_org": map[string]any{"ref": "XM-DAC-47066", "type": "40", "name": "International Organization for Migration"}}).status(200)
	f.do("PATCH", fmt.Sprintf("/api/v1/donors/%d", f.swiss), f.staff, map[string]any{"iati_org_ref": "CH-FDI-1234"}).status(200)
}

func dec(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatalf("%q is not a decimal: %v", s, err)
	}
	return d
}

// workbook opens an answer as an Excel workbook with excelize's reader.
func workbook(t *testing.T, r *response) *excelize.File {
	t.Helper()
	r.status(200)
	eq(t, "content type", r.header.Get("Content-Type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	if !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("Content-Disposition %q", r.header.Get("Content-Disposition"))
	}
	wb, err := excelize.OpenReader(bytes.NewReader(r.raw))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wb.Close() })
	return wb
}

// sheetXML reads a worksheet's XML straight from the zip, independently of excelize.
func sheetXML(t *testing.T, raw []byte, n int) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		if f.Name == fmt.Sprintf("xl/worksheets/sheet%d.xml", n) {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			return string(b)
		}
	}
	t.Fatalf("no sheet %d in the workbook", n)
	return ""
}

// column finds a header's column letter on the first row.
func column(t *testing.T, wb *excelize.File, sheet, header string) string {
	t.Helper()
	rows, _ := wb.GetRows(sheet)
	for i, h := range rows[0] {
		if h == header {
			name, _ := excelize.ColumnNumberToName(i + 1)
			return name
		}
	}
	t.Fatalf("no column %q in %q", header, rows[0])
	return ""
}

func numFmt(t *testing.T, wb *excelize.File, sheet, cell string) string {
	t.Helper()
	id, err := wb.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := wb.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt == nil {
		return fmt.Sprint(st.NumFmt)
	}
	return *st.CustomNumFmt
}

func raw(t *testing.T, wb *excelize.File, sheet, cell string) string {
	t.Helper()
	v, err := wb.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// summaryTotal finds the Summary line of a group's USD total ("All currencies,
// in USD") and answers the value under a header.
func summaryTotal(t *testing.T, wb *excelize.File, sheet, group, allLabel, header string) string {
	t.Helper()
	rows, _ := wb.GetRows(sheet, excelize.Options{RawCellValue: true})
	col := -1
	for _, r := range rows {
		if i := slices.Index(r, header); i >= 0 && col < 0 {
			col = i
		}
		if col >= 0 && len(r) > col && r[0] == group && r[1] == allLabel {
			return r[col]
		}
	}
	t.Fatalf("no %s/%s total of %q in %q", group, allLabel, header, rows)
	return ""
}

func TestXLSXContributionsTypedAndReconciled(t *testing.T) {
	f := newLedger13(t)
	f.do("GET", "/api/v1/exports/contributions.xlsx", "", nil).fails(401, "unauthorized", "")
	f.do("GET", "/api/v1/exports/contributions.xlsx?lang=de", f.staff, nil).fails(422, "validation_failed", "lang")
	res := f.do("GET", fmt.Sprintf("/api/v1/exports/contributions.xlsx?fund_id=%d", f.fund), f.staff, nil)
	wb := workbook(t, res)
	eq(t, "sheets", wb.GetSheetList(), []string{"Contributions", "Summary"})
	const s = "Contributions"
	rows, _ := wb.GetRows(s)
	eq(t, "rows", len(rows), 5) // header + 4 contributions
	eq(t, "header", rows[0][0:4], []string{"ID", "Fund", "Donor ID", "Donor"})

	// Frozen header and autofilter, read from the sheet's XML.
	panes, err := wb.GetPanes(s)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Fatalf("panes %+v %v", panes, err)
	}
	x := sheetXML(t, res.raw, 1)
	if !regexp.MustCompile(`<autoFilter ref="\$?A\$?1:\$?T\$?5"`).MatchString(x) || !strings.Contains(x, `state="frozen"`) {
		t.Fatalf("no frozen header with an autofilter over A1:T5 in %.600s", x)
	}

	amount, currency, usd, received := column(t, wb, s, "Amount"), column(t, wb, s, "Currency"), column(t, wb, s, "Amount (USD)"), column(t, wb, s, "Received on")
	voided, notes, ref, rate := column(t, wb, s, "Voided"), column(t, wb, s, "Notes"), column(t, wb, s, "Reference"), column(t, wb, s, "Exchange rate (per USD)")
	places := map[string]string{"EUR": "#,##0.00", "JPY": "#,##0", "KWD": "#,##0.000", "USD": "#,##0.00"}
	want := map[string]string{"EUR": "30000", "JPY": "1500000", "KWD": "1234.567", "USD": "999.99"}
	for r := 2; r <= 5; r++ {
		cell := func(col string) string { return col + strconv.Itoa(r) }
		cur := raw(t, wb, s, cell(currency))
		// Amounts are numbers (no t="s"/"str"/"inlineStr"), with the currency's decimals as format.
		if ty, _ := wb.GetCellType(s, cell(amount)); ty != excelize.CellTypeNumber && ty != excelize.CellTypeUnset {
			t.Fatalf("%s %s amount cell type %v", cur, cell(amount), ty)
		}
		eq(t, cur+" amount", raw(t, wb, s, cell(amount)), want[cur])
		eq(t, cur+" amount format", numFmt(t, wb, s, cell(amount)), places[cur])
		eq(t, cur+" usd format", numFmt(t, wb, s, cell(usd)), "#,##0.00")
		// Dates are date serials with a date format.
		if _, err := strconv.Atoi(raw(t, wb, s, cell(received))); err != nil {
			t.Fatalf("received_on %q is not a date serial", raw(t, wb, s, cell(received)))
		}
		eq(t, "date format", numFmt(t, wb, s, cell(received)), "yyyy-mm-dd")
		if ty, _ := wb.GetCellType(s, cell(voided)); ty != excelize.CellTypeBool {
			t.Fatalf("voided cell type %v", ty)
		}
		if _, err := strconv.ParseFloat(raw(t, wb, s, cell(rate)), 64); err != nil {
			t.Fatalf("rate %q is not a number", raw(t, wb, s, cell(rate)))
		}
	}
	v, _ := wb.GetCellValue(s, received+"2")
	eq(t, "formatted date", v, "2024-09-15")
	eq(t, "voided true", raw(t, wb, s, voided+"5"), "1")
	// Formula neutrality: the text is kept as is, and is no formula.
	eq(t, "notes", raw(t, wb, s, notes+"2"), "=SUM(A1:A9)")
	eq(t, "reference", raw(t, wb, s, ref+"2"), "+41 wire")
	if fm, _ := wb.GetCellFormula(s, notes+"2"); fm != "" {
		t.Fatalf("a text cell became the formula %q", fm)
	}
	if strings.Contains(x, "<f>") {
		t.Fatal("the sheet holds a formula")
	}

	// The Summary reconciles to progress: live USD = paid; voided separately.
	p := f.progress("")
	eq(t, "summary live USD", dec(t, summaryTotal(t, wb, "Summary", "Live", "All currencies, in USD", "Amount (USD)")).StringFixed(2), p.str("paid"))
	eq(t, "summary voided USD", summaryTotal(t, wb, "Summary", "Voided", "All currencies, in USD", "Amount (USD)"), "999.99")
	sum, _ := wb.GetRows("Summary", excelize.Options{RawCellValue: true})
	text := fmt.Sprint(sum)
	for _, want := range []string{"fund_id " + strconv.FormatInt(f.fund, 10), "Generated at (UTC)", "[Live KWD 1 1234.567 4021.39]", "[Live JPY 1 1500000 10000]"} {
		if !strings.Contains(text, want) {
			t.Fatalf("summary lacks %q: %s", want, text)
		}
	}

	// lang=fr translates; lang=ar translates and turns every sheet right to left.
	fr := workbook(t, f.do("GET", "/api/v1/exports/contributions.xlsx?lang=fr", f.staff, nil))
	eq(t, "fr sheets", fr.GetSheetList(), []string{"Contributions", "Synthèse"})
	column(t, fr, "Contributions", "Montant")
	ar := workbook(t, f.do("GET", "/api/v1/exports/contributions.xlsx?lang=ar&voided=exclude", f.staff, nil))
	eq(t, "ar sheets", ar.GetSheetList(), []string{"المساهمات", "الملخص"})
	column(t, ar, "المساهمات", "المبلغ")
	for _, sh := range ar.GetSheetList() {
		view, err := ar.GetSheetView(sh, 0)
		if err != nil || view.RightToLeft == nil || !*view.RightToLeft {
			t.Fatalf("sheet %s is not right to left: %+v %v", sh, view, err)
		}
	}
	if view, _ := wb.GetSheetView(s, 0); view.RightToLeft != nil && *view.RightToLeft {
		t.Fatal("an English sheet is right to left")
	}
	arRows, _ := ar.GetRows("المساهمات")
	eq(t, "voided=exclude rows", len(arRows), 4)
}

func TestXLSXPledgesAndDonors(t *testing.T) {
	f := newLedger13(t)
	wb := workbook(t, f.do("GET", "/api/v1/exports/pledges.xlsx", f.staff, nil))
	const s = "Pledges"
	rows, _ := wb.GetRows(s)
	eq(t, "rows", len(rows), 4)
	p := f.progress("")
	eq(t, "live outstanding USD = progress", dec(t, summaryTotal(t, wb, "Summary", "Live", "All currencies, in USD", "Outstanding (USD)")).StringFixed(2),
		p.str("outstanding_pledges"))
	// paid_usd is what the payments were worth at their own rate (30000 / 0.8), not at the pledge's (0.9).
	eq(t, "live paid USD", summaryTotal(t, wb, "Summary", "Live", "All currencies, in USD", "Paid (USD)"), "37500")
	eq(t, "cancelled amount USD", summaryTotal(t, wb, "Summary", "Cancelled", "All currencies, in USD", "Amount (USD)"), "7000")
	paidUSD := column(t, wb, s, "Paid (USD)")
	eq(t, "paid_usd cell", raw(t, wb, s, paidUSD+"2"), "37500")
	eq(t, "due_on empty", raw(t, wb, s, column(t, wb, s, "Due on")+"2"), "")

	// The public donor workbook masks anonymous donors, their id included.
	d := f.do("GET", "/api/v1/funds/resilience/donors.xlsx", "", nil)
	dw := workbook(t, d)
	if bytes.Contains(d.raw, []byte("Jane")) {
		t.Fatal("an anonymous donor's name leaked into donors.xlsx")
	}
	drows, _ := dw.GetRows("Donors")
	eq(t, "donor rows", len(drows), 4)
	for _, r := range drows[1:] {
		if r[0] == "Anonymous donor" && len(r) > 7 && r[7] != "" {
			t.Fatalf("anonymous donor's id shown: %q", r)
		}
	}
	eq(t, "donors paid total", dec(t, summaryTotal(t, dw, "Summary", "Live", "All currencies, in USD", "Paid")).StringFixed(2), p.str("paid"))
}

// The public donor files carry each donor's kind, as GET .../donors does
// (blank only for an anonymous donor, whose kind is null there).
func TestDonorExportsKeepKind(t *testing.T) {
	f := newLedger13(t)
	want := map[string]string{}
	for _, d := range f.do("GET", "/api/v1/funds/resilience/donors", "", nil).status(200).items() {
		kind, _ := d["kind"].(string)
		want[d["name"].(string)] = kind
	}
	got := map[string]string{}
	for _, r := range readCSV(t, f.do("GET", "/api/v1/funds/resilience/donors.csv", "", nil))[1:] {
		got[r[0]] = r[1]
	}
	eq(t, "donors.csv kinds", got, want)
	wb := workbook(t, f.do("GET", "/api/v1/funds/resilience/donors.xlsx", "", nil))
	rows, _ := wb.GetRows("Donors")
	got = map[string]string{}
	for _, r := range rows[1:] {
		got[r[0]] = r[1]
	}
	eq(t, "donors.xlsx kinds", got, want)
}

func readCSV(t *testing.T, r *response) [][]string {
	t.Helper()
	r.status(200)
	rows, err := csv.NewReader(bytes.NewReader(r.raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func sumColumn(t *testing.T, rows [][]string, name string, skip int) decimal.Decimal {
	t.Helper()
	i := slices.Index(rows[0], name)
	if i < 0 {
		t.Fatalf("no column %s in %q", name, rows[0])
	}
	total := decimal.Zero
	for _, r := range rows[1+skip:] {
		total = total.Add(dec(t, r[i]))
	}
	return total
}

func TestCSVVoidedFilterAndNewColumns(t *testing.T) {
	f := newLedger13(t)
	paid := f.progress("").str("paid")
	all := readCSV(t, f.do("GET", "/api/v1/exports/contributions.csv", f.staff, nil))
	eq(t, "header", strings.Join(all[0], ","), "id,fund_code,donor_id,donor_name,donor_country,pledge_id,received_on,amount,currency,"+
		"exchange_rate,amount_usd,earmarking,reference,notes,voided,void_reason,voided_at,created_at,created_by,pledge_reference")
	eq(t, "include is the default", len(all), 5)
	eq(t, "donor_id", all[1][2], strconv.FormatInt(f.swiss, 10))
	live := readCSV(t, f.do("GET", "/api/v1/exports/contributions.csv?voided=exclude", f.staff, nil))
	eq(t, "exclude sums to paid", sumColumn(t, live, "amount_usd", 0).StringFixed(2), paid)
	only := readCSV(t, f.do("GET", "/api/v1/exports/contributions.csv?voided=only", f.staff, nil))
	eq(t, "only", len(only), 2)
	eq(t, "only the voided", only[1][0], strconv.FormatInt(f.voidedUSD, 10))
	eq(t, "include = exclude + only", sumColumn(t, all, "amount_usd", 0).String(),
		sumColumn(t, live, "amount_usd", 0).Add(sumColumn(t, only, "amount_usd", 0)).String())
	for _, bad := range []string{"yes", "INCLUDE", "true"} {
		before := f.counts()
		f.do("GET", "/api/v1/exports/contributions.csv?voided="+bad, f.staff, nil).fails(422, "validation_failed", "voided")
		f.do("GET", "/api/v1/exports/pledges.csv?voided="+bad, f.staff, nil).fails(422, "validation_failed", "voided")
		f.do("GET", "/api/v1/exports/pledges.xlsx?voided="+bad, f.staff, nil).fails(422, "validation_failed", "voided")
		f.do("GET", "/api/v1/funds/resilience/donors.csv?voided="+bad, "", nil).fails(422, "validation_failed", "voided")
		f.unchanged(before, "a refused export")
	}

	pl := readCSV(t, f.do("GET", "/api/v1/exports/pledges.csv", f.staff, nil))
	eq(t, "pledge header", strings.Join(pl[0], ","), "id,fund_code,donor_id,donor_name,stage,pledged_on,due_on,amount,currency,"+
		"exchange_rate,amount_usd,paid,paid_usd,outstanding,outstanding_usd,status,earmarking,reference,notes,cancel_reason,"+
		"cancelled_at,created_at,created_by,written_off,written_off_usd,next_due_on")
	eq(t, "paid_usd at the payment's rate", pl[1][12], "37500.00")
	eq(t, "paid_usd of an unpaid pledge", pl[2][12], "0.00")
	livePl := readCSV(t, f.do("GET", "/api/v1/exports/pledges.csv?voided=exclude", f.staff, nil))
	eq(t, "live pledges", len(livePl), 3)
	eq(t, "outstanding_usd sums to progress", sumColumn(t, livePl, "outstanding_usd", 0).StringFixed(2), f.progress("").str("outstanding_pledges"))
	cancelled := readCSV(t, f.do("GET", "/api/v1/exports/pledges.csv?voided=only", f.staff, nil))
	eq(t, "cancelled only", cancelled[1][0], strconv.FormatInt(f.pledgeCancelled, 10))
	eq(t, "cancelled only count", len(cancelled), 2)

	dn := readCSV(t, f.do("GET", "/api/v1/funds/resilience/donors.csv", "", nil))
	eq(t, "donors header", strings.Join(dn[0], ","), "name,kind,country_code,paid,outstanding,pledged,share_of_paid_percent,donor_id")
	for _, r := range dn[1:] {
		if (r[0] == "Anonymous donor") != (r[7] == "") {
			t.Fatalf("donor_id of %q", r)
		}
	}
	eq(t, "donors voided=only", len(readCSV(t, f.do("GET", "/api/v1/funds/resilience/donors.csv?voided=only", "", nil))), 1)
}

// --------------------------------------------------------------------- IATI

type iatiDoc struct {
	XMLName  xml.Name `xml:"iati-activities"`
	Version  string   `xml:"version,attr"`
	Activity []struct {
		Identifier   string `xml:"iati-identifier"`
		ReportingOrg struct {
			Ref  string `xml:"ref,attr"`
			Type string `xml:"type,attr"`
		} `xml:"reporting-org"`
		Title         string `xml:"title>narrative"`
		Participating []struct {
			Ref       string `xml:"ref,attr"`
			Role      string `xml:"role,attr"`
			Narrative string `xml:"narrative"`
		} `xml:"participating-org"`
		Status struct {
			Code string `xml:"code,attr"`
		} `xml:"activity-status"`
		Dates []struct {
			Type string `xml:"type,attr"`
			Date string `xml:"iso-date,attr"`
		} `xml:"activity-date"`
		Transactions []iatiTx `xml:"transaction"`
	} `xml:"iati-activity"`
}

type iatiTx struct {
	Ref  string `xml:"ref,attr"`
	Type struct {
		Code string `xml:"code,attr"`
	} `xml:"transaction-type"`
	Date struct {
		ISO string `xml:"iso-date,attr"`
	} `xml:"transaction-date"`
	Value struct {
		Currency  string `xml:"currency,attr"`
		ValueDate string `xml:"value-date,attr"`
		Amount    string `xml:",chardata"`
	} `xml:"value"`
	Provider struct {
		Ref       *string `xml:"ref,attr"`
		Narrative string  `xml:"narrative"`
	} `xml:"provider-org"`
	AidType struct {
		Code       string `xml:"code,attr"`
		Vocabulary string `xml:"vocabulary,attr"`
	} `xml:"aid-type"`
}

// iatiSchema finds the IATI 2.03 activity schema at ../shared relative to the
// repository root (where CI has it), or at FUNDTRACKER_IATI_SCHEMAS; "" when absent.
func iatiSchema() (xsd, dir string) {
	dir = os.Getenv("FUNDTRACKER_IATI_SCHEMAS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "iati-schemas-2.03") // the test runs in api/
	}
	xsd = filepath.Join(dir, "iati-activities-schema.xsd")
	if _, err := os.Stat(xsd); err != nil {
		return "", dir
	}
	return xsd, dir
}

// validateIATI checks a file against the official schema with xmllint. When
// the schemas are absent it does nothing: the test's other checks still run,
// and skipUnvalidated then marks the test skipped, saying why.
func validateIATI(t *testing.T, body []byte) {
	t.Helper()
	xsd, _ := iatiSchema()
	if xsd == "" {
		return
	}
	file := filepath.Join(t.TempDir(), "activity.xml")
	if err := os.WriteFile(file, body, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("xmllint", "--noout", "--schema", xsd, file).CombinedOutput()
	if err != nil {
		t.Fatalf("xmllint --schema %s: %v\n%s\n%.3000s", xsd, err, out, body)
	}
}

// skipUnvalidated ends an IATI test as skipped when xmllint could not check its files.
func skipUnvalidated(t *testing.T) {
	t.Helper()
	if xsd, dir := iatiSchema(); xsd == "" {
		t.Skipf("the IATI files were checked, but not validated with xmllint: the IATI 2.03 schemas are not at %s "+
			"(../shared/iati-schemas-2.03 relative to the repository root; or set FUNDTRACKER_IATI_SCHEMAS)", dir)
	}
}

func parseIATI(t *testing.T, r *response) (iatiDoc, map[string]iatiTx) {
	t.Helper()
	r.status(200)
	if !strings.HasPrefix(r.header.Get("Content-Type"), "application/xml") {
		t.Fatalf("content type %q", r.header.Get("Content-Type"))
	}
	var doc iatiDoc
	if err := xml.Unmarshal(r.raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Activity) != 1 {
		t.Fatalf("%d activities", len(doc.Activity))
	}
	txs := map[string]iatiTx{}
	for _, tx := range doc.Activity[0].Transactions {
		txs[tx.Ref] = tx
	}
	return doc, txs
}

func TestIATIActivity(t *testing.T) {
	f := newLedger13(t)
	path := fmt.Sprintf("/api/v1/funds/%d/iati-activity.xml", f.fund)
	f.do("GET", path, "", nil).fails(422, "validation_failed", "iati_identifier")

	// Validation of the new fields, every field at fault named, nothing written.
	before := f.counts()
	f.do("PATCH", fmt.Sprintf("/api/v1/funds/%d", f.fund), f.admin, map[string]any{"iati_identifier": "XM DAC 47066"}).fails(422, "validation_failed", "iati_identifier")
	bad := f.do("PATCH", fmt.Sprintf("/api/v1/funds/%d", f.fund), f.admin, map[string]any{"iati_identifier": "XM-DAC-47066/RF",
		"iati_reporting_org": map[string]any{"ref": "no ref", "type": "99"}}).fails(422, "validation_failed", "iati_identifier")
	for _, field := range []string{"iati_reporting_org.ref", "iati_reporting_org.type"} {
		if _, ok := bad.body["error"].(map[string]any)["fields"].(map[string]any)[field]; !ok {
			t.Fatalf("%s not named: %s", field, bad.raw)
		}
	}
	f.do("PATCH", fmt.Sprintf("/api/v1/funds/%d", f.fund), f.admin, map[string]any{"iati_reporting_org": "XM-DAC-47066"}).fails(422, "validation_failed", "iati_reporting_org")
	f.do("PATCH", fmt.Sprintf("/api/v1/funds/%d", f.fund), f.admin, map[string]any{"iati_reporting_org": map[string]any{"ref": "XM-DAC-1", "type": "40", "x": 1}}).fails(422, "validation_failed", "iati_reporting_org")
	f.do("PATCH", fmt.Sprintf("/api/v1/donors/%d", f.swiss), f.staff, map[string]any{"iati_org_ref": "CH FDI"}).fails(422, "validation_failed", "iati_org_ref")
	f.unchanged(before, "refused IATI fields")
	fund := f.do("GET", "/api/v1/funds/resilience", "", nil).status(200)
	if fund.body["iati_identifier"] != nil || fund.body["iati_reporting_org"] != nil {
		t.Fatalf("unset IATI fields are not null: %s", fund.raw)
	}
	f.setIATI()
	fund = f.do("GET", "/api/v1/funds/resilience", "", nil).status(200)
	eq(t, "iati_identifier", fund.str("iati_identifier"), "XM-DAC-47066-RF")
	eq(t, "reporting org", fund.body["iati_reporting_org"], map[string]any{"ref": "XM-DAC-47066", "type": "40", "name": "International Organization for Migration"})
	eq(t, "donor ref", f.do("GET", fmt.Sprintf("/api/v1/donors/%d", f.swiss), f.staff, nil).status(200).str("iati_org_ref"), "CH-FDI-1234")
	// PATCH changes only the members sent.
	f.do("PATCH", fmt.Sprintf("/api/v1/funds/%d", f.fund), f.admin, map[string]any{"iati_reporting_org": map[string]any{"type": "21"}}).status(200)
	eq(t, "type patched", f.do("GET", "/api/v1/funds/resilience", "", nil).body["iati_reporting_org"].(map[string]any)["ref"], "XM-DAC-47066")
	f.setIATI()

	res := f.do("GET", path, "", nil)
	validateIATI(t, res.raw)
	doc, txs := parseIATI(t, res)
	a := doc.Activity[0]
	eq(t, "version", doc.Version, "2.03")
	eq(t, "identifier", a.Identifier, "XM-DAC-47066-RF")
	eq(t, "reporting org", a.ReportingOrg.Ref+"/"+a.ReportingOrg.Type, "XM-DAC-47066/40")
	eq(t, "title", a.Title, "Resilience Fund")
	eq(t, "planned start", fmt.Sprint(a.Dates), "[{1 2024-07-01}]")
	eq(t, "status", a.Status.Code, "2")
	var roles []string
	for _, p := range a.Participating {
		roles = append(roles, p.Role+":"+p.Ref+":"+p.Narrative)
	}
	eq(t, "participating", roles, []string{"4:XM-DAC-47066:International Organization for Migration", "1::Anonymous donor",
		"1::Kingdom of Morocco", "1:CH-FDI-1234:Swiss Foundation"})

	// One transaction per live record: 2 live pledges, 3 live contributions.
	eq(t, "transactions", len(txs), 5)
	commit := txs[fmt.Sprintf("pledge-%d", f.pledgeCommit)]
	eq(t, "commitment", commit.Type.Code, "11")
	eq(t, "commitment value", commit.Value.Currency+" "+commit.Value.Amount+" "+commit.Value.ValueDate, "EUR 100000.00 2024-08-01")
	eq(t, "softly earmarked", commit.AidType.Code+"/"+commit.AidType.Vocabulary, "2/2")
	eq(t, "provider ref", *commit.Provider.Ref, "CH-FDI-1234")
	pl := txs[fmt.Sprintf("pledge-%d", f.pledgePledge)]
	eq(t, "pledge", pl.Type.Code+" "+pl.Date.ISO+" "+pl.AidType.Code, "13 2024-08-05 3")
	paid := txs[fmt.Sprintf("contribution-%d", f.paidEUR)]
	eq(t, "incoming funds", paid.Type.Code+" "+paid.Value.Currency+" "+paid.Value.Amount+" "+paid.Date.ISO, "1 EUR 30000.00 2024-09-15")
	kwd := txs[fmt.Sprintf("contribution-%d", f.giftKWD)]
	eq(t, "KWD value", kwd.Value.Amount+" "+kwd.AidType.Code, "1234.567 1")
	anon := txs[fmt.Sprintf("contribution-%d", f.giftJPY)]
	eq(t, "anonymous narrative", anon.Provider.Narrative, "Anonymous donor")
	if anon.Provider.Ref != nil || bytes.Contains(res.raw, []byte("Jane")) {
		t.Fatal("an anonymous donor is identified in the IATI file")
	}
	for _, gone := range []string{fmt.Sprintf("pledge-%d", f.pledgeCancelled), fmt.Sprintf("contribution-%d", f.voidedUSD)} {
		if _, ok := txs[gone]; ok {
			t.Fatalf("%s is cancelled or voided but published", gone)
		}
	}

	// ?as_of= gives the books as they stood: on 2024-09-30, the JPY, KWD and
	// voided gifts had not come; on 2024-10-03 the voided one was still live
	// (it was voided today), the cancelled pledge too (cancelled today).
	_, old := parseIATI(t, f.do("GET", path+"?as_of=2024-09-30", "", nil))
	eq(t, "as of September", len(old), 4)
	_, oct := parseIATI(t, f.do("GET", path+"?as_of=2024-10-03", "", nil))
	if _, ok := oct[fmt.Sprintf("contribution-%d", f.voidedUSD)]; !ok || len(oct) != 7 {
		t.Fatalf("as of 2024-10-03: %d transactions, %v", len(oct), slices.Collect(mapsKeys(oct)))
	}
	_, early := parseIATI(t, f.do("GET", path+"?as_of=2024-01-01", "", nil))
	eq(t, "before anything", len(early), 0)
	validateIATI(t, f.do("GET", path+"?as_of=2024-01-01", "", nil).raw)
	f.do("GET", path+"?as_of=2024-02-30", "", nil).fails(422, "validation_failed", "as_of")
	f.do("GET", "/api/v1/funds/nope/iati-activity.xml", "", nil).fails(404, "not_found", "")

	// null removes a value; a value of another type is refused.
	f.do("PATCH", fmt.Sprintf("/api/v1/funds/%d", f.fund), f.admin, map[string]any{"iati_identifier": 47066}).fails(422, "validation_failed", "iati_identifier")
	f.do("PATCH", fmt.Sprintf("/api/v1/donors/%d", f.swiss), f.staff, map[string]any{"iati_org_ref": nil}).status(200)
	if v := f.do("GET", fmt.Sprintf("/api/v1/donors/%d", f.swiss), f.staff, nil).body["iati_org_ref"]; v != nil {
		t.Fatalf("iati_org_ref after null: %v", v)
	}
	f.do("PATCH", fmt.Sprintf("/api/v1/funds/%d", f.fund), f.admin, map[string]any{"iati_identifier": nil}).status(200)
	f.do("GET", path, "", nil).fails(422, "validation_failed", "iati_identifier")
	created := f.do("POST", "/api/v1/funds", f.admin, map[string]any{"code": "iati-fund", "name": "IATI Fund", "target_usd": "10.00",
		"iati_identifier": "XM-DAC-47066-IF", "iati_reporting_org": map[string]any{"ref": "XM-DAC-47066", "type": "40"}}).status(201)
	eq(t, "created with an identifier", created.str("iati_identifier"), "XM-DAC-47066-IF")
	validateIATI(t, f.do("GET", "/api/v1/funds/iati-fund/iati-activity.xml", "", nil).raw)
	skipUnvalidated(t)
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// The title and description carry a narrative per language the fund has:
// the base text, then each translation (issue 13 with issue 15's translations).
func TestIATINarrativePerLanguage(t *testing.T) {
	f := newLedger13(t)
	f.setIATI()
	f.do("PATCH", fmt.Sprintf("/api/v1/funds/%d", f.fund), f.admin, map[string]any{"description": "Flexible money",
		"translations": map[string]any{"fr": map[string]any{"name": "Fonds de résilience", "description": "Des fonds flexibles"},
			"ar": map[string]any{"name": "صندوق الصمود"}}}).status(200)
	res := f.do("GET", fmt.Sprintf("/api/v1/funds/%d/iati-activity.xml", f.fund), "", nil).status(200)
	validateIATI(t, res.raw)
	var doc struct {
		Activity struct {
			Title []struct {
				Lang string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
				Text string `xml:",chardata"`
			} `xml:"title>narrative"`
			Description []struct {
				Lang string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
				Text string `xml:",chardata"`
			} `xml:"description>narrative"`
		} `xml:"iati-activity"`
	}
	if err := xml.Unmarshal(res.raw, &doc); err != nil {
		t.Fatal(err)
	}
	eq(t, "title narratives", fmt.Sprint(doc.Activity.Title), "[{ Resilience Fund} {ar صندوق الصمود} {fr Fonds de résilience}]")
	eq(t, "description narratives", fmt.Sprint(doc.Activity.Description), "[{ Flexible money} {fr Des fonds flexibles}]")
	skipUnvalidated(t)
}

func TestIATISeedFundValidates(t *testing.T) {
	e := newEnv(t)
	if err := seed.Demo(context.Background(), e.store); err != nil {
		t.Fatal(err)
	}
	res := e.do("GET", "/api/v1/funds/"+seed.FundCode+"/iati-activity.xml", "", nil)
	validateIATI(t, res.raw)
	doc, txs := parseIATI(t, res)
	eq(t, "seed identifier", doc.Activity[0].Identifier, "XM-DAC-47066-RF")
	types := map[string]int{}
	for _, tx := range txs {
		types[tx.Type.Code]++
	}
	// Seed: 7 live pledges (2 commitments, 5 pledges, 4 of them in instalments, one partly
	// written off; 1 cancelled), 10 live contributions (1 voided).
	eq(t, "seed transaction types", fmt.Sprint(types), "map[1:10 11:2 13:5]")
	skipUnvalidated(t)
}

// TestReportsOfARandomLedger builds a random ledger through the API and checks
// that the IATI file validates and holds one transaction per live record, and
// that the FTS file round-trips and its amountUSD sums to paid + outstanding.
func TestReportsOfARandomLedger(t *testing.T) {
	f := newFixture(t)
	f.do("PATCH", fmt.Sprintf("/api/v1/funds/%d", f.fund), f.admin, map[string]any{"iati_identifier": "XM-DAC-47066-RND",
		"iati_reporting_org": map[string]any{"ref": "XM-DAC-47066", "type": "40"}}).status(200)
	rng := rand.New(rand.NewSource(13))
	donors := []int64{f.morocco, f.swiss, f.anon}
	currencies := []string{"USD", "EUR", "CHF", "JPY", "KWD"}
	stages := []string{"pledge", "commitment"}
	earmarks := []string{"unearmarked", "softly_earmarked", "earmarked"}
	amount := func(cur string) string {
		switch cur {
		case "JPY":
			return strconv.Itoa(1000 + rng.Intn(900000))
		case "KWD":
			return fmt.Sprintf("%d.%03d", 1+rng.Intn(9000), rng.Intn(1000))
		}
		return fmt.Sprintf("%d.%02d", 1+rng.Intn(90000), rng.Intn(100))
	}
	day := func() string { return fmt.Sprintf("2024-%02d-%02d", 7+rng.Intn(6), 1+rng.Intn(28)) }
	type pledgeInfo struct {
		id    int64
		donor int64
		cur   string
	}
	var pledges []pledgeInfo
	var contributions []int64
	live := map[string]bool{}
	for i := 0; i < 60; i++ {
		switch op := rng.Intn(10); {
		case op < 3:
			d, cur := donors[rng.Intn(3)], currencies[rng.Intn(5)]
			id := f.pledge(d, amount(cur), cur, day(), "stage", stages[rng.Intn(2)], "earmarking", earmarks[rng.Intn(3)]).status(201).id()
			pledges = append(pledges, pledgeInfo{id, d, cur})
			live[fmt.Sprintf("pledge-%d", id)] = true
		case op < 5 && len(pledges) > 0:
			p := pledges[rng.Intn(len(pledges))]
			r := f.do("GET", fmt.Sprintf("/api/v1/pledges/%d", p.id), f.staff, nil).status(200)
			out := dec(t, r.str("outstanding"))
			if out.IsZero() || r.str("status") == "cancelled" {
				continue
			}
			part := out.Div(decimal.NewFromInt(int64(1 + rng.Intn(3)))).RoundDown(int32(len(strings.SplitN(r.str("outstanding")+".", ".", 2)[1]) - 1))
			if part.IsZero() {
				part = out
			}
			id := f.do("POST", "/api/v1/contributions", f.staff, map[string]any{"pledge_id": p.id, "amount": part.String(),
				"received_on": "2024-12-30"}).status(201).id()
			contributions = append(contributions, id)
			live[fmt.Sprintf("contribution-%d", id)] = true
		case op < 8:
			cur := currencies[rng.Intn(5)]
			id := f.do("POST", "/api/v1/contributions", f.staff, map[string]any{"fund_id": f.fund, "donor_id": donors[rng.Intn(3)],
				"amount": amount(cur), "currency": cur, "received_on": day(), "earmarking": earmarks[rng.Intn(3)]}).status(201).id()
			contributions = append(contributions, id)
			live[fmt.Sprintf("contribution-%d", id)] = true
		case op == 8 && len(contributions) > 0:
			id := contributions[rng.Intn(len(contributions))]
			if f.do("POST", fmt.Sprintf("/api/v1/contributions/%d/void", id), f.staff, map[string]any{"reason": "random"}).code == 200 {
				delete(live, fmt.Sprintf("contribution-%d", id))
			}
		case op == 9 && len(pledges) > 0:
			id := pledges[rng.Intn(len(pledges))].id
			if f.do("POST", fmt.Sprintf("/api/v1/pledges/%d/cancel", id), f.staff, map[string]any{"reason": "random"}).code == 200 {
				delete(live, fmt.Sprintf("pledge-%d", id))
			}
		}
	}
	res := f.do("GET", fmt.Sprintf("/api/v1/funds/%d/iati-activity.xml", f.fund), "", nil)
	validateIATI(t, res.raw)
	_, txs := parseIATI(t, res)
	eq(t, "transactions", slices.Sorted(mapsKeys(txs)), slices.Sorted(mapsKeys(live)))

	p := f.progress("")
	fts := readCSV(t, f.do("GET", fmt.Sprintf("/api/v1/exports/fts.csv?fund_id=%d&hxl=1", f.fund), f.staff, nil))
	eq(t, "hxl row", fts[1][5], "#value+funding+usd")
	eq(t, "FTS amountUSD = paid + outstanding", sumColumn(t, fts, "amountUSD", 1).StringFixed(2),
		dec(t, p.str("paid")).Add(dec(t, p.str("outstanding_pledges"))).StringFixed(2))
	skipUnvalidated(t)
}

func TestFTSExport(t *testing.T) {
	f := newLedger13(t)
	f.do("GET", "/api/v1/exports/fts.csv", "", nil).fails(401, "unauthorized", "")
	f.do("GET", "/api/v1/exports/fts.csv?hxl=2", f.staff, nil).fails(422, "validation_failed", "hxl")
	f.do("GET", "/api/v1/exports/fts.csv?from=2024-12-01&to=2024-01-01", f.staff, nil).fails(422, "validation_failed", "to")
	rows := readCSV(t, f.do("GET", fmt.Sprintf("/api/v1/exports/fts.csv?fund_id=%d&hxl=1", f.fund), f.staff, nil))
	eq(t, "columns", strings.Join(rows[0], ","), "id,status,date,decisionDate,budgetYear,amountUSD,originalAmount,originalCurrency,"+
		"exchangeRate,srcOrganization,srcOrganizationTypes,srcLocations,destOrganization,refCode,earmarking,description")
	for i, tag := range rows[1] {
		if !regexp.MustCompile(`^#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*$`).MatchString(tag) {
			t.Fatalf("column %s: %q is not an HXL hashtag", rows[0][i], tag)
		}
	}
	for _, want := range []string{"#date", "#value+funding+usd", "#value+funding+original", "#currency", "#org+name+funder",
		"#org+type+funder", "#country+code+funder", "#org+name+impl", "#status"} {
		if !slices.Contains(rows[1], want) {
			t.Fatalf("no %s in the HXL row %q", want, rows[1])
		}
	}
	byID := map[string][]string{}
	for _, r := range rows[2:] {
		byID[r[0]] = r
	}
	// 2 pledges with something outstanding (the cancelled one has no row), 3 live contributions.
	eq(t, "rows", len(byID), 5)
	commit := byID[fmt.Sprintf("pledge-%d", f.pledgeCommit)]
	// Only the outstanding part: EUR 70,000 at the pledge's rate 0.9.
	eq(t, "commitment", strings.Join(commit[1:9], ","), "commitment,2024-08-01,2024-08-01,2024,77777.78,70000.00,EUR,0.9")
	paid := byID[fmt.Sprintf("contribution-%d", f.paidEUR)]
	eq(t, "paid", strings.Join(paid[1:12], ","), "paid,2024-09-15,2024-08-01,2024,37500.00,30000.00,EUR,0.8,Swiss Foundation,Private organizations,CHE")
	eq(t, "neutralised reference", paid[13], "'+41 wire")
	anon := byID[fmt.Sprintf("contribution-%d", f.giftJPY)]
	eq(t, "anonymous", strings.Join(anon[9:12], ","), "Anonymous donor,,")
	if bytes.Contains(f.do("GET", "/api/v1/exports/fts.csv", f.staff, nil).raw, []byte("Jane")) {
		t.Fatal("an anonymous donor is named in the FTS file")
	}
	p := f.progress("")
	eq(t, "amountUSD = paid + outstanding", sumColumn(t, rows, "amountUSD", 1).StringFixed(2),
		dec(t, p.str("paid")).Add(dec(t, p.str("outstanding_pledges"))).StringFixed(2))
	// A fully paid pledge has no row.
	f.do("POST", "/api/v1/contributions", f.staff, map[string]any{"pledge_id": f.pledgePledge, "amount": "50000.00", "received_on": "2024-11-01"}).status(201)
	rows = readCSV(t, f.do("GET", "/api/v1/exports/fts.csv?from=2024-08-01&to=2024-12-31", f.staff, nil))
	for _, r := range rows[1:] {
		if r[0] == fmt.Sprintf("pledge-%d", f.pledgePledge) {
			t.Fatal("a fully paid pledge has an FTS row")
		}
	}
	eq(t, "from/to", len(rows), 1+1+4) // the commitment, 4 live contributions
}

// ----------------------------------------------------------- printed report

func between(t *testing.T, body, id string) string {
	t.Helper()
	m := regexp.MustCompile(`id="` + id + `">([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no #%s in the report", id)
	}
	return m[1]
}

func TestPrintableFundReport(t *testing.T) {
	f := newLedger13(t)
	f.do("GET", "/funds/resilience/report", "", nil).fails(401, "unauthorized", "")
	f.do("GET", "/funds/resilience/report?lang=de", f.staff, nil).fails(422, "validation_failed", "lang")
	f.do("GET", "/funds/resilience/report?from=2024-10-01&to=2024-09-01", f.staff, nil).fails(422, "validation_failed", "to")
	f.do("GET", "/funds/nope/report", f.staff, nil).fails(404, "not_found", "")
	// Back-dated payment on the commitment, received 2024-09-20: outstanding as of 2024-09-30 must count it,
	// and as of 2024-09-16 must not.
	f.do("POST", "/api/v1/contributions", f.staff, map[string]any{"pledge_id": f.pledgeCommit, "amount": "10000.00",
		"received_on": "2024-09-20"}).status(201)
	for _, asOf := range []string{"", "2024-09-16", "2024-09-30", "2024-10-03"} {
		q := ""
		if asOf != "" {
			q = "?as_of=" + asOf
		}
		res := f.do("GET", "/funds/resilience/report"+q, f.staff, nil).status(200)
		body := string(res.raw)
		p := f.progress(q)
		eq(t, "outstanding as of "+asOf, strings.ReplaceAll(between(t, body, "outstanding-total"), ",", ""), p.str("outstanding_pledges"))
		if !strings.Contains(body, formatUSD(p.str("paid"))) || !strings.Contains(body, formatUSD(p.str("pledged"))) {
			t.Fatalf("as of %q: the headline lacks paid %s or pledged %s", asOf, p.str("paid"), p.str("pledged"))
		}
		if strings.Contains(body, "<script") || !strings.Contains(body, "<svg") || strings.Contains(body, "Jane") {
			t.Fatal("the report has a script, no SVG chart, or names an anonymous donor")
		}
	}
	// The period's receipts: 2024-09-01..2024-09-30 holds the two EUR payments (37,500 + 11,111.11).
	body := string(f.do("GET", "/funds/resilience/report?from=2024-09-01&to=2024-09-30&as_of=2024-10-31", f.staff, nil).status(200).raw)
	eq(t, "period total", between(t, body, "period-total"), "48,611.11")
	ar := string(f.do("GET", "/funds/resilience/report?lang=ar", f.staff, nil).status(200).raw)
	if !strings.Contains(ar, `<html lang="ar" dir="rtl">`) || !strings.Contains(ar, "تقرير الصندوق") {
		t.Fatal("the Arabic report is not right to left or not translated")
	}
	fr := string(f.do("GET", "/funds/resilience/report?lang=fr", f.staff, nil).status(200).raw)
	if !strings.Contains(fr, "Rapport du fonds") {
		t.Fatal("the French report is not translated")
	}
}

// The report names the fund and the donors in its language (issue 15): the
// fund's translation, donors' display names, the anonymous donor translated.
func TestPrintableFundReportNamesInItsLanguage(t *testing.T) {
	f := newLedger13(t)
	f.do("PATCH", fmt.Sprintf("/api/v1/funds/%d", f.fund), f.admin, map[string]any{"translations": map[string]any{
		"fr": map[string]any{"name": "Fonds de résilience"}, "ar": map[string]any{"name": "صندوق الصمود"}}}).status(200)
	f.do("PATCH", fmt.Sprintf("/api/v1/donors/%d", f.morocco), f.staff, map[string]any{"display_names": map[string]any{
		"fr": "Royaume du Maroc", "ar": "المملكة المغربية"}}).status(200)
	for lang, want := range map[string][]string{"fr": {"Fonds de résilience", "Royaume du Maroc", "Donateur anonyme"},
		"ar": {"صندوق الصمود", "المملكة المغربية", "مانح مجهول"}} {
		body := string(f.do("GET", "/funds/resilience/report?lang="+lang, f.staff, nil).status(200).raw)
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Fatalf("the %s report lacks %q", lang, w)
			}
		}
		for _, english := range []string{"Kingdom of Morocco", "Anonymous donor", "Jane"} {
			if strings.Contains(body, english) {
				t.Fatalf("the %s report says %q", lang, english)
			}
		}
	}
}

// formatUSD writes "1234.50" as the report's English figures do: "1,234.50".
func formatUSD(s string) string {
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

// TestXLSXContinuesPastTheSheetLimit lowers the rows a sheet holds: the rows
// continue on "Contributions (2)", with its header, frozen and filtered.
func TestXLSXContinuesPastTheSheetLimit(t *testing.T) {
	f := newLedger13(t)
	old := handlers.XLSXMaxRows
	handlers.XLSXMaxRows = 3 // a header and two rows
	t.Cleanup(func() { handlers.XLSXMaxRows = old })
	res := f.do("GET", "/api/v1/exports/contributions.xlsx", f.staff, nil)
	wb := workbook(t, res)
	eq(t, "sheets", wb.GetSheetList(), []string{"Contributions", "Contributions (2)", "Summary"})
	var ids []string
	for _, s := range wb.GetSheetList()[:2] {
		rows, _ := wb.GetRows(s)
		eq(t, s+" header", rows[0][0], "ID")
		eq(t, s+" rows", len(rows), 3)
		for _, r := range rows[1:] {
			ids = append(ids, r[0])
		}
		if panes, _ := wb.GetPanes(s); !panes.Freeze {
			t.Fatalf("%s: header not frozen", s)
		}
	}
	eq(t, "every row once", len(ids), 4)
	if !strings.Contains(sheetXML(t, res.raw, 2), "<autoFilter") {
		t.Fatal("the second sheet has no autofilter")
	}
	sum, _ := wb.GetRows("Summary", excelize.Options{RawCellValue: true})
	if !strings.Contains(fmt.Sprint(sum), "Rows 4") {
		t.Fatalf("summary row count: %v", sum)
	}
}
