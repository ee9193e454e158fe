package handlers

import (
	"archive/zip"
	"bufio"

	"encoding/csv"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/textproto"
	"os"
	"path"
	"strings"

	"github.com/fundtracker/fundtracker/models"
)

// Accepted document types, as stored and served.
const (
	TypePDF   = "application/pdf"
	TypePNG   = "image/png"
	TypeJPEG  = "image/jpeg"
	TypeXLSX  = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	TypeDOCX  = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	TypeCSV   = "text/csv"
	TypeText  = "text/plain"
	TypeEmail = "message/rfc822"
)

// AcceptedDocumentTypes lists every type a document may have.
var AcceptedDocumentTypes = []string{TypePDF, TypePNG, TypeJPEG, TypeXLSX, TypeDOCX, TypeCSV, TypeText, TypeEmail}

var errUnsupported = models.Errorf(models.EUNSUPPORTED,
	"The file's content is not an accepted type (PDF, PNG, JPEG, XLSX, DOCX, CSV, plain text or e-mail); its name and declared type are not trusted.")

// sniff decides a document's type from its bytes, never from its name or the
// type the client declared: http.DetectContentType for the first 512 bytes,
// then the structure for what that cannot tell apart (an OOXML package from
// any zip, CSV and e-mail from plain text, text that turns binary after 512
// bytes). The name only chooses between CSV and plain text, both safe.
// Text is accepted in any ASCII-compatible encoding (UTF-16 is refused).
func sniff(f *os.File, size int64, filename string) (string, error) {
	head := make([]byte, 512)
	n, err := f.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	head = head[:n]
	detected, params, _ := mime.ParseMediaType(http.DetectContentType(head))
	switch detected {
	case TypePDF, TypePNG, TypeJPEG:
		return detected, nil
	case "application/zip":
		return ooxml(f, size)
	case "text/plain":
		if cs := params["charset"]; cs != "" && cs != "utf-8" {
			return "", errUnsupported // UTF-16 text: not accepted
		}
		if isSVG(head) {
			return "", errUnsupported // an image a browser runs scripts in, not plain text
		}
		if isEmail(f) {
			if err := scanText(f); err != nil {
				return "", err
			}
			return TypeEmail, nil
		}
		// Text in a legacy encoding (a Windows-1252 CSV export, a Latin-1 bank
		// statement) is accepted as it is: no control bytes is what makes it text.
		if err := scanText(f); err != nil {
			return "", err
		}
		ext := strings.ToLower(path.Ext(filename))
		if ext == ".csv" || (ext != ".txt" && looksLikeCSV(f)) {
			return TypeCSV, nil
		}
		return TypeText, nil
	}
	return "", errUnsupported
}

// isSVG reports whether text starts (after a byte order mark and white space)
// with an SVG root or doctype, which http.DetectContentType only catches behind
// an XML declaration.
func isSVG(head []byte) bool {
	t := strings.TrimLeft(strings.TrimPrefix(string(head), "\ufeff"), " \t\r\n\f")
	t = strings.ToLower(t)
	return strings.HasPrefix(t, "<svg") || strings.HasPrefix(t, "<!doctype svg")
}

// ooxml accepts a zip that is an Office Open XML workbook or document: its
// central directory names [Content_Types].xml and the main part.
func ooxml(f *os.File, size int64) (string, error) {
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return "", errUnsupported
	}
	names := map[string]bool{}
	for _, zf := range zr.File {
		names[zf.Name] = true
	}
	switch {
	case !names["[Content_Types].xml"]:
		return "", errUnsupported
	case names["xl/workbook.xml"]:
		return TypeXLSX, nil
	case names["word/document.xml"]:
		return TypeDOCX, nil
	}
	return "", errUnsupported
}

// scanText reads the whole file a block at a time: text has no NUL or other
// control byte (tab, CR, LF and form feed aside), in any ASCII-compatible encoding.
func scanText(f *os.File) error {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := f.Read(buf)
		for _, b := range buf[:n] {
			if b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' {
				return errUnsupported
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// isEmail reports whether the file starts with an RFC 5322 header block that
// names its sender and at least one other header a message carries.
func isEmail(f *os.File) bool {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return false
	}
	tp := textproto.NewReader(bufio.NewReader(io.LimitReader(f, 64<<10)))
	h, err := tp.ReadMIMEHeader()
	if err != nil || len(h.Get("From")) == 0 {
		return false
	}
	for _, k := range []string{"Date", "Subject", "To", "Message-Id", "Received", "Mime-Version"} {
		if h.Get(k) != "" {
			return true
		}
	}
	return false
}

// looksLikeCSV reports whether the text starts with at least two records of
// the same number (two or more) of comma- or semicolon-separated fields.
func looksLikeCSV(f *os.File) bool {
	for _, sep := range []rune{',', ';'} {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return false
		}
		r := csv.NewReader(io.LimitReader(f, 64<<10))
		r.Comma = sep
		rows := 0
		for rows < 20 {
			rec, err := r.Read()
			if err != nil {
				break
			}
			if len(rec) < 2 {
				rows = 0
				break
			}
			rows++
		}
		if rows >= 2 {
			return true
		}
	}
	return false
}
