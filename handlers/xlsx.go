package handlers

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// XLSXContentType is the media type of an Excel workbook.
const XLSXContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

const langKey = "report_lang"

// ReportLanguages are the languages of workbooks and printed reports.
var ReportLanguages = []string{"en", "fr", "ar"}

func langParam(q *query) string { return q.oneOf("lang", "en", ReportLanguages) }

// xlsxStyles makes and remembers the cell styles of one workbook.
type xlsxStyles struct {
	f       *excelize.File
	money   map[int32]int // by decimal places
	date    int
	time    int
	percent int
	header  int
	bold    int
}

func newXLSXStyles(f *excelize.File) (*xlsxStyles, error) {
	s := &xlsxStyles{f: f, money: map[int32]int{}}
	var err error
	fmtDate, fmtTime, fmtPct := "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss", "0.00"
	if s.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &fmtDate}); err != nil {
		return nil, err
	}
	if s.time, err = f.NewStyle(&excelize.Style{CustomNumFmt: &fmtTime}); err != nil {
		return nil, err
	}
	if s.percent, err = f.NewStyle(&excelize.Style{CustomNumFmt: &fmtPct}); err != nil {
		return nil, err
	}
	if s.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE7F0"}}}); err != nil {
		return nil, err
	}
	s.bold, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	return s, err
}

// moneyStyle is the number format of an amount with the currency's decimals.
func (s *xlsxStyles) moneyStyle(places int32) (int, error) {
	if id, ok := s.money[places]; ok {
		return id, nil
	}
	format := "#,##0"
	if places > 0 {
		format += "." + strings.Repeat("0", int(places))
	}
	id, err := s.f.NewStyle(&excelize.Style{CustomNumFmt: &format})
	s.money[places] = id
	return id, err
}

// cell turns a typed value into an Excel cell: amounts are numbers with their
// currency's decimals, dates are dates, text is a string (never a formula:
// the stream writer writes a string as a value, whatever its first character).
func (s *xlsxStyles) cell(v any) (excelize.Cell, error) {
	switch v := v.(type) {
	case string:
		return excelize.Cell{Value: v}, nil
	case int64:
		return excelize.Cell{Value: v}, nil
	case idCell:
		if v == nil {
			return excelize.Cell{}, nil
		}
		return excelize.Cell{Value: *v}, nil
	case models.Money:
		id, err := s.moneyStyle(v.Places)
		return excelize.Cell{StyleID: id, Value: number(v.Amount)}, err
	case models.Rate:
		return excelize.Cell{Value: number(v.Decimal)}, nil
	case models.Date:
		if v == "" {
			return excelize.Cell{}, nil
		}
		t, err := time.Parse(models.DateLayout, string(v))
		return excelize.Cell{StyleID: s.date, Value: t}, err
	case time.Time:
		return excelize.Cell{StyleID: s.time, Value: v.UTC()}, nil
	case *time.Time:
		if v == nil {
			return excelize.Cell{}, nil
		}
		return excelize.Cell{StyleID: s.time, Value: v.UTC()}, nil
	case bool:
		return excelize.Cell{Value: v}, nil
	case percentCell:
		d, err := decimal.NewFromString(string(v))
		return excelize.Cell{StyleID: s.percent, Value: number(d)}, err
	case nil:
		return excelize.Cell{}, nil
	}
	return excelize.Cell{Value: v}, nil
}

// number is a decimal as the float64 Excel stores (Excel keeps 15 significant
// digits, whatever writes the file). A decimal of up to 15 significant digits
// (any amount below USD 10^13 with its cents) is carried exactly: the writer
// prints the shortest text that reads back as the same float, which is the
// decimal's own text. The CSV twin keeps every digit of larger amounts.
func number(d decimal.Decimal) float64 {
	f, _ := d.Float64()
	return f
}

// xlsxFormat writes an export as a workbook: the rows on the first sheet
// (frozen header with an autofilter), then a Summary sheet with the filters,
// the generation time and the totals per group and currency. Rows are
// streamed to a temporary file by excelize's StreamWriter, so memory stays
// flat; the workbook is then copied to the client.
func xlsxFormat(c *gin.Context, name string, t *exportTable, each func(write func([]any) error) error) {
	lang := c.GetString(langKey)
	tr := func(key string) string { return translate(lang, key) }
	f := excelize.NewFile()
	defer f.Close()
	fail := func(err error) {
		slog.ErrorContext(c.Request.Context(), "xlsx export failed", "file", name, "error", err, "request_id", c.GetString(RequestIDKey))
		Error(c, err)
	}
	styles, err := newXLSXStyles(f)
	if err != nil {
		fail(err)
		return
	}
	rowsSheet := tr("sheet." + t.sheet)
	if err := f.SetSheetName("Sheet1", rowsSheet); err != nil {
		fail(err)
		return
	}
	n, err := writeRowsSheet(f, styles, rowsSheet, lang, t, each)
	if err != nil {
		fail(err)
		return
	}
	if err := writeSummarySheet(f, styles, lang, t, n); err != nil {
		fail(err)
		return
	}
	f.SetActiveSheet(0)
	c.Header("Content-Type", XLSXContentType)
	c.Header("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	// The zip is written straight to the client: excelize's WriteTo would
	// first build the whole file in a bytes.Buffer (it only buffers to patch
	// zip64 headers, which archive/zip writes correctly itself).
	out := bufio.NewWriterSize(c.Writer, 256<<10)
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(out) })
	_, err = f.WriteToBuffer()
	if err == nil {
		err = out.Flush()
	}
	if err != nil {
		slog.ErrorContext(c.Request.Context(), "xlsx export failed while sending", "file", name, "error", err, "request_id", c.GetString(RequestIDKey))
		c.Abort()
	}
}

func setRTL(f *excelize.File, sheet, lang string) error {
	rtl := lang == "ar"
	return f.SetSheetView(sheet, 0, &excelize.ViewOptions{RightToLeft: &rtl})
}

// XLSXMaxRows is how many rows a sheet holds, header included (Excel's limit);
// an export with more continues on "<sheet> (2)", "<sheet> (3)"..., each with
// its header. A variable so that tests can lower it.
var XLSXMaxRows = excelize.TotalRows

// rowsSheet is a sheet of rows being streamed.
type rowsSheet struct {
	name string
	sw   *excelize.StreamWriter
	row  int // the last row written
}

func startRowsSheet(f *excelize.File, styles *xlsxStyles, name, lang string, t *exportTable) (*rowsSheet, error) {
	if err := setRTL(f, name, lang); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return nil, err
	}
	if err := sw.SetColWidth(1, len(t.columns), 16); err != nil {
		return nil, err
	}
	header := make([]any, len(t.columns))
	for i, col := range t.columns {
		header[i] = excelize.Cell{StyleID: styles.header, Value: translate(lang, "col."+col)}
	}
	return &rowsSheet{name: name, sw: sw, row: 1}, sw.SetRow("A1", header)
}

// finish sets the autofilter over the sheet's rows and ends its stream.
func (rs *rowsSheet) finish(f *excelize.File, columns int) error {
	last, _ := excelize.CoordinatesToCellName(columns, max(rs.row, 2))
	if err := f.AutoFilter(rs.name, "A1:"+last, nil); err != nil {
		return err
	}
	return rs.sw.Flush()
}

func writeRowsSheet(f *excelize.File, styles *xlsxStyles, sheet, lang string, t *exportTable, each func(write func([]any) error) error) (int, error) {
	rs, err := startRowsSheet(f, styles, sheet, lang, t)
	if err != nil {
		return 0, err
	}
	rows, part := 0, 1
	cells := make([]any, len(t.columns))
	err = each(func(values []any) error {
		if rs.row >= XLSXMaxRows {
			if err := rs.finish(f, len(t.columns)); err != nil {
				return err
			}
			part++
			name := fmt.Sprintf("%s (%d)", sheet, part)
			if _, err := f.NewSheet(name); err != nil {
				return err
			}
			if rs, err = startRowsSheet(f, styles, name, lang, t); err != nil {
				return err
			}
		}
		for i, v := range values {
			cell, err := styles.cell(v)
			if err != nil {
				return err
			}
			cells[i] = cell
		}
		rs.row++
		rows++
		ref, _ := excelize.CoordinatesToCellName(1, rs.row)
		return rs.sw.SetRow(ref, cells)
	})
	if err != nil {
		return 0, err
	}
	return rows, rs.finish(f, len(t.columns))
}

// writeSummarySheet writes the filters, the generation time and the totals:
// per group (live, voided or cancelled) and currency the count and the sums,
// then the group's USD total over every currency.
func writeSummarySheet(f *excelize.File, styles *xlsxStyles, lang string, t *exportTable, rows int) error {
	tr := func(key string) string { return translate(lang, key) }
	sheet := tr("sheet.summary")
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	if err := setRTL(f, sheet, lang); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, 2+len(t.totals.sumCols), 20); err != nil {
		return err
	}
	r := 0
	put := func(values ...any) error {
		r++
		ref, _ := excelize.CoordinatesToCellName(1, r)
		cells := make([]any, len(values))
		for i, v := range values {
			if cell, ok := v.(excelize.Cell); ok {
				cells[i] = cell
				continue
			}
			cell, err := styles.cell(v)
			if err != nil {
				return err
			}
			cells[i] = cell
		}
		return sw.SetRow(ref, cells)
	}
	bold := func(s string) excelize.Cell { return excelize.Cell{StyleID: styles.bold, Value: s} }
	steps := []func() error{
		func() error { return put(bold(tr("summary.title"))) },
		func() error { return put(tr("summary.generated_at"), time.Now().UTC()) },
		func() error { return put(tr("summary.rows"), int64(rows)) },
		func() error { return put() },
		func() error { return put(bold(tr("summary.filters"))) },
	}
	if len(t.filters) == 0 {
		steps = append(steps, func() error { return put(tr("summary.no_filter")) })
	}
	for _, fl := range t.filters {
		steps = append(steps, func() error { return put(fl[0], fl[1]) })
	}
	steps = append(steps, func() error { return put() }, func() error { return put(bold(tr("summary.totals"))) }, func() error {
		head := []any{bold(tr("summary.records")), bold(tr("col.currency")), bold(tr("summary.count"))}
		for _, col := range t.totals.sumCols {
			head = append(head, bold(tr("col."+col)))
		}
		return put(head...)
	})
	for _, g := range t.totals.groups {
		for _, cur := range t.totals.currencies(g) {
			gt := t.totals.by[g][cur]
			steps = append(steps, func() error {
				line := []any{tr("summary.group." + g), cur, gt.count}
				for i, v := range gt.sums {
					places := models.MinorUnits(cur)
					if t.totals.usd[i] {
						places = 2
					}
					line = append(line, models.Money{Amount: v, Places: places})
				}
				return put(line...)
			})
		}
		steps = append(steps, func() error {
			n, sums := t.totals.usdTotal(g)
			line := []any{bold(tr("summary.group." + g)), bold(tr("summary.all_in_usd")), n}
			for i, v := range sums {
				if t.totals.usd[i] {
					line = append(line, models.USD(v))
				} else {
					line = append(line, nil)
				}
			}
			return put(line...)
		})
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return sw.Flush()
}
