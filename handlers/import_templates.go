package handlers

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"
)

// Issue 12: a template file per kind of import, CSV or XLSX, its headers in
// the reader's language (?lang=, then Accept-Language). The headers import as
// they are: models.MapColumns reads them in every language. A template holds
// the header only: an example row would be imported as data. The XLSX
// template explains each column on a second sheet.

// templateRows is how many rows of an XLSX template get the drop-down lists.
const templateRows = 1000

// templateRequired says which columns a row must fill, per kind: "yes", or
// "pledge" (unless the row names a pledge, which gives it).
var templateRequired = map[string]map[string]string{
	models.ImportDonors:        {"name": "yes", "kind": "yes"},
	models.ImportPledges:       {"fund_code": "yes", "donor_name": "yes", "amount": "yes", "currency": "yes", "pledged_on": "yes"},
	models.ImportContributions: {"fund_code": "pledge", "donor_name": "pledge", "amount": "yes", "currency": "pledge", "received_on": "yes"},
	models.ImportRates:         {"currency": "yes", "effective_on": "yes", "units_per_usd": "yes"},
}

// templateChoices are the values a column takes (a drop-down list in XLSX).
var templateChoices = map[string][]string{
	"kind":       models.DonorKinds,
	"stage":      models.PledgeStages,
	"earmarking": models.Earmarkings,
	"anonymous":  {"true", "false"},
	"language":   models.DonorLanguages,
}

var (
	templateDates = map[string]bool{"pledged_on": true, "due_on": true, "received_on": true, "effective_on": true}
	templateTexts = map[string]bool{"reference": true, "pledge_reference": true, "notes": true, "currency": true, "country_code": true,
		"donor_country": true, "fund_code": true, "iati_org_ref": true, "source": true}
)

// ImportTemplate answers GET /imports/templates/{kind}.csv and .xlsx.
func (h *Handler) ImportTemplate(c *gin.Context) {
	kind, ext, _ := strings.Cut(c.Param("file"), ".")
	if !slices.Contains(models.ImportKinds, kind) || (ext != "csv" && ext != "xlsx") {
		Error(c, models.Errorf(models.ENOTFOUND, "No import template %q: the templates are {kind}.csv and {kind}.xlsx, kind one of %s.",
			c.Param("file"), strings.Join(models.ImportKinds, ", ")))
		return
	}
	lang := Lang(c)
	cols := models.ImportTemplateColumns(kind)
	headers := make([]string, len(cols))
	for i, f := range cols {
		headers[i] = models.ImportHeader(f, lang)
	}
	name := "import-" + kind + "-" + lang + "." + ext
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "private, no-cache")
	if ext == "csv" {
		// UTF-8 with a BOM (spreadsheets then read the accents and Arabic);
		// French spreadsheets expect semicolons. The import reads both.
		sep := ","
		if lang == "fr" {
			sep = ";"
		}
		quoted := make([]string, len(headers))
		for i, h := range headers {
			quoted[i] = csvQuote(h, sep)
		}
		c.Data(http.StatusOK, "text/csv; charset=utf-8", []byte("\uFEFF"+strings.Join(quoted, sep)+"\r\n"))
		return
	}
	b, err := templateXLSX(kind, lang, cols, headers)
	if err != nil {
		Error(c, err)
		return
	}
	c.Data(http.StatusOK, XLSXContentType, b)
}

func csvQuote(s, sep string) string {
	if strings.ContainsAny(s, sep+"\"\r\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// templateXLSX writes the workbook: the header on the first sheet (frozen,
// bold; date columns formatted as dates, codes and references as text,
// drop-down lists for enumerations), and a sheet explaining each column.
func templateXLSX(kind, lang string, cols, headers []string) ([]byte, error) {
	tr := func(key string) string { return translate(lang, key) }
	f := excelize.NewFile()
	defer f.Close()
	styles, err := newXLSXStyles(f)
	if err != nil {
		return nil, err
	}
	textFmt := 49 // "@": the cell holds text as typed (leading zeros kept)
	text, err := f.NewStyle(&excelize.Style{NumFmt: textFmt})
	if err != nil {
		return nil, err
	}
	sheet := tr("sheet." + kind)
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	if err := setRTL(f, sheet, lang); err != nil {
		return nil, err
	}
	last, _ := excelize.ColumnNumberToName(len(cols))
	if err := f.SetColWidth(sheet, "A", last, 20); err != nil {
		return nil, err
	}
	for i, field := range cols {
		// The column's format first (it restyles the column's cells), then the header.
		col, _ := excelize.ColumnNumberToName(i + 1)
		switch {
		case templateDates[field]:
			err = f.SetColStyle(sheet, col, styles.date)
		case templateTexts[field]:
			err = f.SetColStyle(sheet, col, text)
		}
		if err != nil {
			return nil, err
		}
		cell := col + "1"
		if err := f.SetCellStr(sheet, cell, headers[i]); err != nil {
			return nil, err
		}
		if err := f.SetCellStyle(sheet, cell, cell, styles.header); err != nil {
			return nil, err
		}
		if choices, ok := templateChoices[field]; ok {
			dv := excelize.NewDataValidation(true)
			dv.Sqref = col + "2:" + col + strconv.Itoa(templateRows+1)
			if err := dv.SetDropList(choices); err != nil {
				return nil, err
			}
			if err := f.AddDataValidation(sheet, dv); err != nil {
				return nil, err
			}
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return nil, err
	}

	help := tr("template.sheet")
	if _, err := f.NewSheet(help); err != nil {
		return nil, err
	}
	if err := setRTL(f, help, lang); err != nil {
		return nil, err
	}
	if err := f.SetColWidth(help, "A", "B", 24); err != nil {
		return nil, err
	}
	if err := f.SetColWidth(help, "C", "C", 22); err != nil {
		return nil, err
	}
	if err := f.SetColWidth(help, "D", "D", 90); err != nil {
		return nil, err
	}
	rows := [][]any{
		{tr("template.title." + kind)},
		{tr("template.intro")},
		{tr("template.formats")},
		{},
		{tr("template.col.column"), tr("template.col.field"), tr("template.col.required"), tr("template.col.format")},
	}
	for i, field := range cols {
		req := templateRequired[kind][field]
		if req == "" {
			req = "no"
		}
		rows = append(rows, []any{headers[i], field, tr("template.required." + req), tr("template.help." + field)})
	}
	rows = append(rows, []any{}, []any{tr("template.also")})
	for i, r := range rows {
		ref, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(help, ref, &r); err != nil {
			return nil, err
		}
	}
	if err := f.SetCellStyle(help, "A1", "A1", styles.bold); err != nil {
		return nil, err
	}
	if err := f.SetCellStyle(help, "A5", "D5", styles.header); err != nil {
		return nil, err
	}
	f.SetActiveSheet(0)
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
