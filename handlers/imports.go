package handlers

import (
	"bufio"
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
	req, done, err := h.readImport(c)
	defer done()
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
// refused beyond ImportMaxBytes), then read as CSV or XLSX. A CSV file is
// read through once here (its header, and every error of its form), and its
// rows are then streamed from the temporary file to the decision
// (ImportTable.Stream), not held in memory. done removes the temporary
// file: call it when the import is answered.
func (h *Handler) readImport(c *gin.Context) (req models.ImportRequest, done func(), err error) {
	var file *os.File
	done = func() {
		if file != nil {
			file.Close()
			os.Remove(file.Name())
		}
	}
	req, err = h.readImportForm(c, &file)
	return req, done, err
}

func (h *Handler) readImportForm(c *gin.Context, spooled **os.File) (models.ImportRequest, error) {
	var req models.ImportRequest
	ct, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || ct != "multipart/form-data" || params["boundary"] == "" {
		return req, models.Errorf(models.EUNSUPPORTED, "Send the import as multipart/form-data with the fields file, kind, mode and mapping.")
	}
	mr := multipart.NewReader(c.Request.Body, params["boundary"])
	p := models.Problems{}
	seen := map[string]bool{}
	var file *os.File
	var text utf8Check
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
			*spooled = file
			sum := sha256.New()
			n, err := io.Copy(io.MultiWriter(file, sum, &text), io.LimitReader(part, h.ImportMaxBytes+1))
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
	magic := make([]byte, 4)
	if _, err := file.ReadAt(magic, 0); err != nil && !errors.Is(err, io.EOF) {
		return req, err
	}
	if bytes.Equal(magic, []byte("PK\x03\x04")) {
		content, err := os.ReadFile(file.Name())
		if err != nil {
			return req, err
		}
		headers, rows, raw, err := readXLSX(content)
		if err != nil {
			return req, err
		}
		fields, err := models.MapColumns(req.Kind, headers, m)
		if err != nil {
			return req, err
		}
		xlsxCells(fields, rows, raw)
		req.Table = models.ImportTable{Headers: headers, Fields: fields, Rows: rows}
		return req, nil
	}
	if !text.valid() {
		return req, models.FieldError("file", "is neither XLSX nor UTF-8 text: save the CSV as UTF-8")
	}
	name := file.Name()
	stream := func(each func(models.ImportRow) error) ([]string, error) {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return readCSV(f, each)
	}
	headers, err := stream(nil) // every error of the file's form, before any row is decided
	if err != nil {
		return req, err
	}
	fields, err := models.MapColumns(req.Kind, headers, m)
	if err != nil {
		return req, err
	}
	req.Table = models.ImportTable{Headers: headers, Fields: fields, Stream: func(each func(models.ImportRow) error) error {
		_, err := stream(each)
		return err
	}}
	return req, nil
}

// utf8Check reports whether the bytes written to it are UTF-8, as they come
// (a character may be split between two writes).
type utf8Check struct {
	pending [utf8.UTFMax]byte // the start of a character the last write ended in
	n       int
	bad     bool
}

func (u *utf8Check) Write(p []byte) (int, error) {
	written := len(p)
	for u.n > 0 && len(p) > 0 && !u.bad {
		u.pending[u.n] = p[0]
		u.n++
		p = p[1:]
		if utf8.FullRune(u.pending[:u.n]) {
			if r, size := utf8.DecodeRune(u.pending[:u.n]); r == utf8.RuneError && size == 1 {
				u.bad = true
			}
			u.n = 0
		}
	}
	if u.bad || len(p) == 0 {
		return written, nil
	}
	cut := len(p)
	for i := len(p) - 1; i >= 0 && i >= len(p)-utf8.UTFMax; i-- {
		if utf8.RuneStart(p[i]) {
			if !utf8.FullRune(p[i:]) {
				cut = i
			}
			break
		}
	}
	if !utf8.Valid(p[:cut]) {
		u.bad = true
	}
	u.n = copy(u.pending[:], p[cut:])
	return written, nil
}

func (u *utf8Check) valid() bool { return !u.bad && u.n == 0 }

// decimalComma reports a number written with a decimal comma ("1250,50":
// digits, one comma, digits).
func decimalComma(s string) bool {
	i := strings.IndexByte(s, ',')
	if i <= 0 || i == len(s)-1 {
		return false
	}
	for j := 0; j < len(s); j++ {
		if j != i && (s[j] < '0' || s[j] > '9') {
			return false
		}
	}
	return true
}

// readCSV reads a CSV file in UTF-8 (a BOM is dropped), comma or semicolon
// separated (whichever the header line has more of), and answers its
// header; each, when not nil, is called with every row in file order. In a
// semicolon file a decimal comma ("1250,50", no thousands separator) is
// read as a decimal point: that is how French spreadsheets write the same
// number. Row numbers are those a spreadsheet shows: blank lines count, a
// quoted cell spanning lines does not.
func readCSV(in io.Reader, each func(models.ImportRow) error) ([]string, error) {
	br := bufio.NewReaderSize(in, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xEF\xBB\xBF")) {
		br.Discard(3)
	}
	first, err := br.ReadBytes('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	comma := ','
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		comma = ';'
	}
	r := csv.NewReader(io.MultiReader(bytes.NewReader(first), br))
	r.Comma, r.FieldsPerRecord, r.ReuseRecord = comma, -1, false
	var headers []string
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
			return nil, models.FieldError("file", "is not valid CSV at line "+strconv.Itoa(line)+": "+errors.Unwrap(err).Error())
		}
		start, _ := r.FieldPos(0)
		row += 1 + max(0, start-prevEnd-1)
		endLine, _ := r.FieldPos(len(rec) - 1)
		prevEnd = endLine + strings.Count(rec[len(rec)-1], "\n")
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
			if comma == ';' && decimalComma(rec[i]) {
				rec[i] = strings.Replace(rec[i], ",", ".", 1)
			}
		}
		if headers == nil {
			headers = rec
			continue
		}
		if blank(rec) || each == nil {
			continue
		}
		if err := each(models.ImportRow{Line: row, Cells: rec}); err != nil {
			return nil, err
		}
	}
	if headers == nil {
		return nil, models.FieldError("file", "has no header row")
	}
	return headers, nil
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
