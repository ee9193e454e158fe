package handlers

import (
	"encoding/csv"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// flushEvery is how many rows are written between flushes to the client.
const flushEvery = 1000

// streamCSV answers a CSV file (RFC 4180, UTF-8, header row), streamed:
// header, rows, flush. each is called with a function that writes one row.
// With ?bom=1 a UTF-8 byte order mark comes first, for spreadsheets that
// need it to read Arabic or accented names.
func streamCSV(c *gin.Context, filename string, bom bool, header []string, each func(write func([]string) error) error) {
	w := c.Writer
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if bom {
		w.Write([]byte("\uFEFF"))
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	n := 0
	write := func(rec []string) error {
		if err := cw.Write(rec); err != nil {
			return err
		}
		if n++; n%flushEvery == 0 {
			cw.Flush()
			w.Flush()
		}
		return cw.Error()
	}
	err := write(header)
	if err == nil {
		err = each(write)
	}
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	if err != nil {
		// The status is sent: the client sees a truncated file; the log says why.
		slog.ErrorContext(c.Request.Context(), "csv export failed", "file", filename, "rows", n, "error", err, "request_id", c.GetString(RequestIDKey))
		c.Abort()
	}
}

// Cell neutralises text that a spreadsheet would run as a formula: a cell
// starting with =, +, -, @, tab or carriage return gets a leading apostrophe.
func Cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
