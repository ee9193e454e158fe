package handlers

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
)

// FuzzCheckJSONObject: CheckJSONObject and decode into a ContributionInput
// never panic; a body they accept is one JSON object, with no key twice in
// any object (keys compared as encoding/json matches them: case-insensitively),
// nested at most MaxJSONDepth deep; a body they refuse is an application error.
// Seeds: testdata/fuzz/FuzzCheckJSONObject. Run: go test -fuzz '^FuzzCheckJSONObject$' ./handlers/
func FuzzCheckJSONObject(f *testing.F) {
	gin.SetMode(gin.ReleaseMode)
	f.Fuzz(func(t *testing.T, body []byte) {
		err := CheckJSONObject(body)
		var me *models.Error
		if err != nil && (!errors.As(err, &me) || me.Code != models.EINVALIDJSON) {
			t.Fatalf("%q: refused with %v, want invalid_json", body, err)
		}
		if err == nil {
			if problem := oneObject(body); problem != "" {
				t.Fatalf("%q accepted: %s", body, problem)
			}
		}

		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest(http.MethodPost, "/api/v1/contributions", bytes.NewReader(body))
		var in models.ContributionInput
		derr := decode(c, &in)
		if derr != nil && (!errors.As(derr, &me) || (me.Code != models.EINVALIDJSON && me.Code != models.EINVALID)) {
			t.Fatalf("%q: decode refused with %v, want invalid_json or validation_failed", body, derr)
		}
		if derr == nil && err != nil {
			t.Fatalf("%q: decode accepted what CheckJSONObject refused (%v)", body, err)
		}
		if derr == nil {
			in.Validate(nil, models.Today()) // must not panic either
		}
	})
}

// oneObject is the oracle, a recursive walk independent of CheckJSONObject's
// stack: "" when b is exactly one JSON object as described, else why not.
func oneObject(b []byte) string {
	if !json.Valid(b) {
		return "not valid JSON"
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, _ := dec.Token()
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return "not an object"
	}
	if problem := walk(dec, '{', 1); problem != "" {
		return problem
	}
	if _, err := dec.Token(); err != io.EOF {
		return "data after the object"
	}
	return ""
}

// walk reads the rest of a container whose opening delimiter was just read.
func walk(dec *json.Decoder, open json.Delim, depth int) string {
	if depth > MaxJSONDepth {
		return "nested too deeply"
	}
	seen := map[string]string{}
	for dec.More() {
		if open == '{' {
			tok, _ := dec.Token()
			key := tok.(string)
			for k := range seen {
				if strings.EqualFold(k, key) {
					return "the key " + key + " twice (as " + k + ")"
				}
			}
			seen[key] = key
		}
		tok, _ := dec.Token()
		if d, ok := tok.(json.Delim); ok {
			if problem := walk(dec, d, depth+1); problem != "" {
				return problem
			}
		}
	}
	dec.Token() // the closing delimiter
	return ""
}

// FuzzCell: a row of cells neutralised with Cell and written by encoding/csv
// (as the exports write it) reads back as the same cells, but for the leading
// apostrophe Cell adds, and no cell read back starts with = + - @ tab or CR.
// Line breaks inside a cell are written CRLF: they read back as "\n", and a
// lone CR, which encoding/csv's CRLF writer drops, is compared as dropped.
// Seeds: testdata/fuzz/FuzzCell. Run: go test -fuzz '^FuzzCell$' ./handlers/
func FuzzCell(f *testing.F) {
	f.Fuzz(func(t *testing.T, a, b, c string) {
		in := []string{a, b, c}
		row := make([]string, len(in))
		for i, s := range in {
			row[i] = Cell(s)
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.UseCRLF = true
		if err := w.Write(row); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		r := csv.NewReader(&buf)
		r.FieldsPerRecord = len(in)
		got, err := r.ReadAll()
		if err != nil || len(got) != 1 {
			t.Fatalf("%q written as %q reads back as %q, %v", in, buf.String(), got, err)
		}
		for i, s := range in {
			cell := got[0][i]
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Fatalf("cell %q reads back as %q: a spreadsheet would run it", s, cell)
			}
			want := s
			if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
				want = "'" + s
			}
			if cell != lineBreaks(want) {
				t.Fatalf("cell %q reads back as %q, want %q", s, cell, lineBreaks(want))
			}
		}
	})
}

// lineBreaks is what encoding/csv round-trips a cell to: CRLF and LF as LF,
// a lone CR dropped (only inside quoted cells, which any CR or LF forces).
func lineBreaks(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "")
}
