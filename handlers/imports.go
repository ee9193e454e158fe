package handlers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"
)

// Issue 12: imports from spreadsheets (docs/import.md).

// DefaultImportMaxBytes bounds an imported file unless
// FUNDTRACKER_IMPORT_MAX_BYTES says otherwise (50 MiB).
const DefaultImportMaxBytes = 50 << 20

// ImportStore decides and applies imports.
type ImportStore interface {
	Import(ctx context.Context, a models.Actor, req models.ImportRequest) (models.ImportDryRunResult, *models.ImportCommitResult, *models.Replay, error)
	Imports(ctx context.Context, pg models.PageRequest) (models.Page[models.Import], error)
	ImportByID(ctx context.Context, id int64) (models.Import, error)
}

// ListImports answers GET /imports: past imports, newest first.
func (h *Handler) ListImports(c *gin.Context) {
	list(c, func(*query) struct{} { return struct{}{} }, func(ctx context.Context, _ struct{}, pg models.PageRequest) (models.Page[models.Import], error) {
		return h.imports.Imports(ctx, pg)
	})
}

// GetImport answers GET /imports/{id}.
func (h *Handler) GetImport(c *gin.Context) { getByID(c, "import", h.imports.ImportByID) }

// importRefusal is a commit refused because rows are invalid: the error, and
// every row's problems (in the error and beside it).
type importRefusal struct {
	Error  importRefusalDetail     `json:"error"`
	Errors []models.ImportRowError `json:"errors"`
}

type importRefusalDetail struct {
	errorDetail
	Errors []models.ImportRowError `json:"errors"`
}

// CreateImport answers POST /imports: a multipart form with file, kind, mode
// (dry_run unless commit) and an optional mapping. A dry run answers 200 with
// the figures and every problem of every row and writes nothing; a commit
// writes every row or, with any invalid row, nothing (422).
func (h *Handler) CreateImport(c *gin.Context) {
	if !requireWriter(c) {
		return
	}
	_ = http.NewResponseController(c.Writer).SetReadDeadline(time.Now().Add(15 * time.Minute))
	req, err := h.readImport(c)
	if err != nil {
		Error(c, err)
		return
	}
	req.CanWrite = func(fundID int64) bool { return CanWriteFund(c, fundID) }
	// A retried commit with the same Idempotency-Key and the same file answers the first answer.
	if req.Idem, err = idempotency(c, struct {
		Kind     string   `json:"kind"`
		Mode     string   `json:"mode"`
		Filename string   `json:"filename"`
		SHA256   string   `json:"sha256"`
		Fields   []string `json:"fields"`
	}{req.Kind, req.Mode, req.Filename, req.SHA256, req.Table.Fields}); err != nil {
		Error(c, err)
		return
	}
	res, committed, replay, err := h.imports.Import(c.Request.Context(), actor(c), req)
	if err != nil {
		Error(c, err)
		return
	}
	switch {
	case replay != nil:
		created(c, nil, replay)
	case req.Mode != models.ImportCommit:
		c.JSON(http.StatusOK, res)
	case res.Invalid > 0:
		msg := strconv.Itoa(res.Invalid) + " rows of the file are invalid: nothing was imported."
		if res.Invalid == 1 {
			msg = "1 row of the file is invalid: nothing was imported."
		}
		c.Header("Cache-Control", "no-store")
		c.JSON(http.StatusUnprocessableEntity, importRefusal{
			Error: importRefusalDetail{errorDetail: errorDetail{Code: models.EINVALID, Message: msg,
				Fields: map[string]string{"file": msg}}, Errors: res.Errors},
			Errors: res.Errors})
	default:
		c.JSON(http.StatusCreated, committed)
	}
}

// readImport reads the form: the file is spooled to a temporary file (hashed,
// refused beyond ImportMaxBytes), then read as CSV or XLSX.
func (h *Handler) readImport(c *gin.Context) (models.ImportRequest, error) {
	var req models.ImportRequest
	ct, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || ct != "multipart/form-data" || params["boundary"] == "" {
		return req, models.Errorf(models.EUNSUPPORTED, "Send the import as multipart/form-data with the fields file, kind, mode and mapping.")
	}
	mr := multipart.NewReader(c.Request.Body, params["boundary"])
	p := models.Problems{}
	seen := map[string]bool{}
	var file *os.File
	defer func() {
		if file != nil {
			file.Close()
			os.Remove(file.Name())
		}
	}()
	var mapping string
	mappingSet := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return req, readError(err, "The multipart form could not be read.")
		}
		name := part.FormName()
		if seen[name] {
			p.Add(name, "is given more than once")
			part.Close()
			continue
		}
		seen[name] = true
		switch name {
		case "file":
			req.Filename = models.CleanFilename(part.FileName())
			if file, err = os.CreateTemp("", "fundtracker-import-*"); err != nil {
				return req, err
			}
			sum := sha256.New()
			n, err := io.Copy(io.MultiWriter(file, sum), io.LimitReader(part, h.ImportMaxBytes+1))
			if err != nil {
				return req, readError(err, "The uploaded file could not be read.")
			}
			if n > h.ImportMaxBytes {
				return req, models.Errorf(models.ETOOLARGE, "The file is larger than %d bytes (FUNDTRACKER_IMPORT_MAX_BYTES).", h.ImportMaxBytes)
			}
			req.Size, req.SHA256 = n, hex.EncodeToString(sum.Sum(nil))
		case "kind", "mode", "mapping":
			b, err := io.ReadAll(io.LimitReader(part, maxFormField+1))
			if err != nil {
				return req, readError(err, "The multipart form could not be read.")
			}
			if len(b) > maxFormField {
				p.Add(name, "is too long")
				break
			}
			switch name {
			case "kind":
				req.Kind = string(b)
			case "mode":
				req.Mode = string(b)
			default:
				mapping, mappingSet = string(b), true
			}
		default:
			p.Add(name, "is not a field of this request (file, kind, mode, mapping)")
		}
		part.Close()
	}
	req.Kind = models.OneOf("kind", req.Kind, "", models.ImportKinds, p)
	req.Mode = models.OneOf("mode", req.Mode, models.ImportDryRun, models.ImportModes, p)
	var m map[string]string
	if mappingSet && strings.TrimSpace(mapping) != "" {
		if err := json.Unmarshal([]byte(mapping), &m); err != nil {
			p.Add("mapping", "must be a JSON object from a column header of the file to a field name, such as {\"Montant\": \"amount\"}")
		}
	}
	switch {
	case file == nil:
		p.Add("file", "is required (the CSV or XLSX file, as a multipart file field)")
	case req.Size == 0:
		p.Add("file", "is empty")
	}
	if err := p.Err(); err != nil {
		return req, err
	}
	content, err := os.ReadFile(file.Name())
	if err != nil {
		return req, err
	}
	var headers []string
	var rows []models.ImportRow
	var raw [][]string
	if bytes.HasPrefix(content, []byte("PK\x03\x04")) {
		headers, rows, raw, err = readXLSX(content)
	} else {
		headers, rows, err = readCSV(content)
	}
	if err != nil {
		return req, err
	}
	fields, err := models.MapColumns(req.Kind, headers, m)
	if err != nil {
		return req, err
	}
	if raw != nil {
		xlsxCells(fields, rows, raw)
	}
	req.Table = models.ImportTable{Headers: headers, Fields: fields, Rows: rows}
	return req, nil
}

var decimalComma = regexp.MustCompile(`^[0-9]+,[0-9]+$`)

// readCSV reads a CSV file in UTF-8 (a BOM is dropped), comma or semicolon
// separated (whichever the header line has more of). In a semicolon file a
// decimal comma ("1250,50", no thousands separator) is read as a decimal
// point: that is how French spreadsheets write the same number. Row numbers
// are those a spreadsheet shows: blank lines count, a quoted cell spanning
// lines does not.
func readCSV(content []byte) ([]string, []models.ImportRow, error) {
	content = bytes.TrimPrefix(content, []byte("\xEF\xBB\xBF"))
	if !utf8.Valid(content) {
		return nil, nil, models.FieldError("file", "is neither XLSX nor UTF-8 text: save the CSV as UTF-8")
	}
	first := content
	if i := bytes.IndexByte(content, '\n'); i >= 0 {
		first = content[:i]
	}
	comma := ','
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		comma = ';'
	}
	r := csv.NewReader(bytes.NewReader(content))
	r.Comma, r.FieldsPerRecord, r.ReuseRecord = comma, -1, false
	var headers []string
	var rows []models.ImportRow
	row, prevEnd := 0, 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return nil, nil, models.FieldError("file", "is not valid CSV at line "+strconv.Itoa(line)+": "+errors.Unwrap(err).Error())
		}
		start, _ := r.FieldPos(0)
		row += 1 + max(0, start-prevEnd-1)
		endLine, _ := r.FieldPos(len(rec) - 1)
		prevEnd = endLine + strings.Count(rec[len(rec)-1], "\n")
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
			if comma == ';' && decimalComma.MatchString(rec[i]) {
				rec[i] = strings.Replace(rec[i], ",", ".", 1)
			}
		}
		if headers == nil {
			headers = rec
			continue
		}
		if blank(rec) {
			continue
		}
		rows = append(rows, models.ImportRow{Line: row, Cells: rec})
	}
	if headers == nil {
		return nil, nil, models.FieldError("file", "has no header row")
	}
	return headers, rows, nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return false
		}
	}
	return true
}

// readXLSX reads the first sheet of a workbook: its cells as shown, and
// their raw values (numbers as stored, dates as serial numbers) for
// xlsxCells. The first non-empty row is the header.
func readXLSX(content []byte) ([]string, []models.ImportRow, [][]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(content))
	if err != nil {
		return nil, nil, nil, models.FieldError("file", "is neither a readable XLSX workbook nor CSV text")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, nil, nil, models.FieldError("file", "has no sheet")
	}
	shown, err := f.GetRows(sheets[0])
	if err != nil {
		return nil, nil, nil, models.FieldError("file", "its first sheet could not be read")
	}
	raw, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, nil, nil, models.FieldError("file", "its first sheet could not be read")
	}
	var headers []string
	var rows []models.ImportRow
	var raws [][]string
	for i, rec := range shown {
		for j := range rec {
			rec[j] = strings.TrimSpace(rec[j])
		}
		if blank(rec) {
			continue
		}
		if headers == nil {
			headers = rec
			continue
		}
		rows = append(rows, models.ImportRow{Line: i + 1, Cells: rec})
		var r []string
		if i < len(raw) {
			r = raw[i]
		}
		raws = append(raws, r)
	}
	if headers == nil {
		return nil, nil, nil, models.FieldError("file", "has no header row")
	}
	return headers, rows, raws, nil
}

var (
	xlsxNumber = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)
	dateFields = map[string]bool{"pledged_on": true, "due_on": true, "received_on": true, "effective_on": true}
	numFields  = map[string]bool{"amount": true, "exchange_rate": true, "units_per_usd": true, "fund_id": true, "donor_id": true, "pledge_id": true}
)

// xlsxCells reads the spreadsheet's own numeric and date cells: an amount
// or rate cell holding a number is read as stored (not as its format shows
// it, "1,250.50 €"); a date cell (a number shown with a date format) becomes
// YYYY-MM-DD. A number shown as itself in a date column stays a number, and
// is refused as a date.
func xlsxCells(fields []string, rows []models.ImportRow, raws [][]string) {
	for i, r := range rows {
		for j, f := range fields {
			if j >= len(r.Cells) || j >= len(raws[i]) {
				continue
			}
			rv := strings.TrimSpace(raws[i][j])
			if !xlsxNumber.MatchString(rv) {
				continue
			}
			switch {
			case numFields[f]:
				r.Cells[j] = plainNumber(rv)
			case dateFields[f] && rv != r.Cells[j]:
				v, err := strconv.ParseFloat(rv, 64)
				if err != nil || v < 1 {
					continue
				}
				t, err := excelize.ExcelDateToTime(v, false)
				if err == nil {
					r.Cells[j] = t.Format(models.DateLayout)
				}
			}
		}
	}
}

// plainNumber writes a stored number without an exponent ("1.25E+3" -> "1250").
func plainNumber(s string) string {
	if !strings.ContainsAny(s, "eE") {
		return s
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
