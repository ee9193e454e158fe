package handlers

import (
	"encoding/csv"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
)

// flushEvery is how many rows are written between flushes to the client.
const flushEvery = 1000

// Exports is the share of the server that CSV exports may take (issue 10):
// an export streams from a database cursor, holding a connection until its
// client has read the file, so a client that stops reading must neither hold
// it for long nor, with others, take every connection /healthz, sign-in and
// public progress need.
type Exports struct {
	slots chan struct{}
	// WriteTimeout bounds each write to the client; a client that reads
	// nothing for that long loses its export (its connection is closed).
	WriteTimeout time.Duration
}

// NewExports allows n exports at once (4 when n <= 0), each write bounded by
// writeTimeout (30 s when <= 0).
func NewExports(n int, writeTimeout time.Duration) *Exports {
	if n <= 0 {
		n = 4
	}
	if writeTimeout <= 0 {
		writeTimeout = 30 * time.Second
	}
	return &Exports{slots: make(chan struct{}, n), WriteTimeout: writeTimeout}
}

// exportBusySeconds is the Retry-After of an export refused because all slots are taken.
const exportBusySeconds = 5

// acquire takes an export slot, or answers 429 rate_limited with Retry-After.
func (x *Exports) acquire() (release func(), err error) {
	select {
	case x.slots <- struct{}{}:
		return func() { <-x.slots }, nil
	default:
		e := models.Errorf(models.ERATELIMITED, "%d exports are running: try again in a few seconds.", cap(x.slots))
		e.RetryAfter = exportBusySeconds
		return nil, e
	}
}

// startExport answers the query's problems, or takes an export slot (429
// when every slot is taken); ok says the export may go on, then release.
func (h *Handler) startExport(c *gin.Context, q *query) (release func(), ok bool) {
	if err := q.err(); err != nil {
		Error(c, err)
		return nil, false
	}
	release, err := h.exports.acquire()
	if err != nil {
		Error(c, err)
		return nil, false
	}
	return release, true
}

// streamCSV answers a CSV file (RFC 4180, UTF-8, header row), streamed:
// header, rows, flush. each is called with a function that writes one row.
// With ?bom=1 a UTF-8 byte order mark comes first, for spreadsheets that
// need it to read Arabic or accented names.
//
// Every chunk written must reach the client within h.exports.WriteTimeout:
// a client that stops reading ends the export (and frees its connection and
// its database cursor) instead of holding them until the server's WriteTimeout.
func (h *Handler) streamCSV(c *gin.Context, filename string, bom bool, header []string, each func(write func([]string) error) error) {
	w := c.Writer
	rc := http.NewResponseController(w)
	deadline := func() {
		// Not every ResponseWriter supports deadlines (httptest's recorder): then the server's WriteTimeout bounds it.
		_ = rc.SetWriteDeadline(time.Now().Add(h.exports.WriteTimeout))
	}
	deadline()
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
	var clientErr error // writing to the client failed: it went away or stopped reading
	write := func(rec []string) error {
		if err := cw.Write(rec); err != nil {
			clientErr = err
			return err
		}
		if n++; n%flushEvery == 0 {
			cw.Flush()
			w.Flush()
			deadline()
		}
		clientErr = cw.Error()
		return clientErr
	}
	err := write(header)
	if err == nil {
		err = each(write)
	}
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	if err != nil && (clientErr != nil || cw.Error() != nil) {
		// Not the server's fault: the client went away, or read nothing for WriteTimeout.
		slog.WarnContext(c.Request.Context(), "csv export cut short: the client stopped reading", "file", filename, "rows", n,
			"error", err, "request_id", c.GetString(RequestIDKey))
		c.Abort()
	} else if err != nil {
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
