package handlers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
)

// Issue 16: documents attached to pledges and contributions.

// DefaultDocumentMaxBytes bounds an uploaded document unless
// FUNDTRACKER_DOCUMENT_MAX_BYTES says otherwise (20 MiB).
const DefaultDocumentMaxBytes = 20 << 20

// DocumentStore keeps documents.
type DocumentStore interface {
	AddDocument(ctx context.Context, a models.Actor, recordType string, recordID int64, in models.DocumentInput, f models.DocumentFile,
		idem models.Idempotency) (models.Document, *models.Replay, error)
	Documents(ctx context.Context, recordType string, recordID int64) ([]models.Document, error)
	Document(ctx context.Context, id int64) (models.Document, error)
	DocumentContent(ctx context.Context, d models.Document, fn func([]byte) error) error
	SupersedeDocument(ctx context.Context, a models.Actor, id int64, in models.ReasonInput) (models.Document, error)
}

// maxFormField bounds a multipart field other than the file (kind, note).
const maxFormField = 16 << 10

// UploadDocument answers POST /pledges/{id}/documents and
// /contributions/{id}/documents: a multipart form with file, kind and an
// optional note. The file is streamed to a temporary file (never held in
// memory), hashed on the way, refused beyond DocumentMaxBytes (413), its type
// sniffed from its bytes (415 unless accepted), then copied into the
// database a chunk at a time.
func (h *Handler) UploadDocument(recordType string) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := pathID(c, "id", recordType)
		if err != nil {
			Error(c, err)
			return
		}
		// A large upload on a slow link may take longer than the server's read timeout.
		_ = http.NewResponseController(c.Writer).SetReadDeadline(time.Now().Add(15 * time.Minute))
		up, err := h.readUpload(c)
		if up.file != nil {
			defer func() {
				up.file.Close()
				os.Remove(up.file.Name())
			}()
		}
		if err != nil {
			Error(c, err)
			return
		}
		// A retry with the same Idempotency-Key and the same upload answers the first answer.
		idem, err := idempotency(c, struct {
			Record   int64  `json:"record"`
			Filename string `json:"filename"`
			Kind     string `json:"kind"`
			Note     string `json:"note"`
			SHA256   string `json:"sha256"`
		}{id, up.input.Filename, up.input.Kind, up.input.Note, up.sha256})
		if err != nil {
			Error(c, err)
			return
		}
		doc, replay, err := h.documents.AddDocument(c.Request.Context(), actor(c), recordType, id, up.input,
			models.DocumentFile{ContentType: up.contentType, Size: up.size, SHA256: up.sha256, Content: up.file}, idem)
		if err != nil {
			Error(c, err)
			return
		}
		created(c, doc, replay)
	}
}

type upload struct {
	input       models.DocumentInput
	file        *os.File
	size        int64
	sha256      string
	contentType string
}

// readUpload reads the multipart form part by part (the file may come before
// or after kind and note).
func (h *Handler) readUpload(c *gin.Context) (upload, error) {
	var up upload
	ct, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || ct != "multipart/form-data" || params["boundary"] == "" {
		return up, models.Errorf(models.EUNSUPPORTED, "Send the document as multipart/form-data with the fields file, kind and note.")
	}
	mr := multipart.NewReader(c.Request.Body, params["boundary"])
	p := models.Problems{}
	seen := map[string]bool{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return up, readError(err, "The multipart form could not be read.")
		}
		name := part.FormName()
		if name == "" {
			name = "file" // a part whose Content-Disposition cannot be read
			p.Add(name, "a part of the form has no readable Content-Disposition (form-data; name=...)")
		}
		if seen[name] {
			p.Add(name, "is given more than once")
			part.Close()
			continue
		}
		seen[name] = true
		switch name {
		case "file":
			up.input.Filename = part.FileName()
			if err := h.spool(part, &up); err != nil {
				return up, err
			}
		case "kind", "note":
			b, err := io.ReadAll(io.LimitReader(part, maxFormField+1))
			if err != nil {
				return up, readError(err, "The multipart form could not be read.")
			}
			if len(b) > maxFormField {
				p.Add(name, "is too long")
			} else if name == "kind" {
				up.input.Kind = string(b)
			} else {
				up.input.Note = string(b)
			}
		default:
			p.Add(name, "is not a field of this request (file, kind, note)")
		}
		part.Close()
	}
	if up.file == nil {
		p.Add("file", "is required (the document, as a multipart file field)")
	} else if up.size == 0 {
		p.Add("file", "is empty")
	}
	_, vp := up.input.Validate()
	for k, v := range vp {
		p.Add(k, v)
	}
	if err := p.Err(); err != nil {
		return up, err
	}
	kind, err := sniff(up.file, up.size, up.input.Filename)
	if err != nil {
		return up, err
	}
	up.contentType = kind
	return up, nil
}

// spool copies the file part to a temporary file, hashing it, and refuses it
// (413) as soon as it is larger than the limit.
func (h *Handler) spool(part io.Reader, up *upload) error {
	f, err := os.CreateTemp("", "fundtracker-upload-*")
	if err != nil {
		return err
	}
	up.file = f
	max := h.DocumentMaxBytes
	if max <= 0 {
		max = DefaultDocumentMaxBytes
	}
	sum := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, sum), io.LimitReader(part, max+1))
	if err != nil {
		return readError(err, "The uploaded file could not be read.")
	}
	if n > max {
		return models.Errorf(models.ETOOLARGE, "The document is larger than %d bytes (FUNDTRACKER_DOCUMENT_MAX_BYTES).", max)
	}
	up.size, up.sha256 = n, hex.EncodeToString(sum.Sum(nil))
	return nil
}

func readError(err error, msg string) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return models.Errorf(models.ETOOLARGE, "The request body is larger than %d bytes.", mbe.Limit)
	}
	return models.Errorf(models.EINVALIDJSON, "%s", msg)
}

// ListDocuments answers GET /pledges/{id}/documents and
// /contributions/{id}/documents: the documents not superseded, oldest first.
func (h *Handler) ListDocuments(recordType string) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := pathID(c, "id", recordType)
		if err != nil {
			Error(c, err)
			return
		}
		docs, err := h.documents.Documents(c.Request.Context(), recordType, id)
		if err != nil {
			Error(c, err)
			return
		}
		c.JSON(http.StatusOK, models.Page[models.Document]{Items: docs})
	}
}

// errTampered is a stored document whose bytes no longer match their sha256.
var errTampered = errors.New("stored document does not match its sha256")

// DownloadDocument answers GET /documents/{id}: the file, as an attachment
// that no browser renders or sniffs. Its bytes are checked against its
// sha256 before the first one is sent: a document that no longer matches is
// refused (500) and logged, never served.
func (h *Handler) DownloadDocument(c *gin.Context) {
	id, err := pathID(c, "id", "document")
	if err != nil {
		Error(c, err)
		return
	}
	ctx := c.Request.Context()
	doc, err := h.documents.Document(ctx, id)
	if err != nil {
		Error(c, err)
		return
	}
	if err := h.verifyDocument(ctx, doc); err != nil {
		slog.ErrorContext(ctx, "document refused: its stored bytes fail their sha256 check", "document_id", doc.ID,
			"sha256", doc.SHA256, "error", err, "request_id", c.GetString(RequestIDKey))
		Error(c, fmt.Errorf("document %d: %w", doc.ID, err))
		return
	}
	hd := c.Writer.Header()
	hd.Set("Content-Type", doc.ContentType)
	hd.Set("Content-Length", strconv.FormatInt(doc.Size, 10))
	hd.Set("Content-Disposition", ContentDisposition(doc.Filename))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "sandbox")
	hd.Set("Cache-Control", "private, no-cache")
	hd.Set("ETag", `"`+doc.SHA256+`"`)
	c.Status(http.StatusOK)
	if c.Request.Method == http.MethodHead {
		return
	}
	// Checked again on the way out: bytes changed since the check above end
	// the connection, so that a client never takes a short or altered file for whole.
	sum := sha256.New()
	err = h.documents.DocumentContent(ctx, doc, func(b []byte) error {
		sum.Write(b)
		_, err := c.Writer.Write(b)
		return err
	})
	if err == nil && hex.EncodeToString(sum.Sum(nil)) != doc.SHA256 {
		err = errTampered
	}
	if err != nil {
		slog.ErrorContext(ctx, "document download cut", "document_id", doc.ID, "error", err)
		panic(http.ErrAbortHandler)
	}
}

// verifyDocument reads a stored document a chunk at a time and checks its
// size and sha256.
func (h *Handler) verifyDocument(ctx context.Context, doc models.Document) error {
	sum := sha256.New()
	var n int64
	err := h.documents.DocumentContent(ctx, doc, func(b []byte) error {
		n += int64(len(b))
		sum.Write(b)
		return nil
	})
	switch {
	case err != nil:
		return fmt.Errorf("%w: %v", errTampered, err)
	case n != doc.Size:
		return fmt.Errorf("%w: %d bytes stored, %d recorded", errTampered, n, doc.Size)
	case hex.EncodeToString(sum.Sum(nil)) != doc.SHA256:
		return errTampered
	}
	return nil
}

// SupersedeDocument answers POST /documents/{id}/supersede {"reason"}.
func (h *Handler) SupersedeDocument(c *gin.Context) {
	changeByID(c, "document", h.documents.SupersedeDocument)
}

// ContentDisposition is an attachment header for a (cleaned) filename, per
// RFC 6266: an ASCII fallback in filename, the UTF-8 name in filename*.
func ContentDisposition(name string) string {
	var ascii, ext strings.Builder
	for _, r := range name {
		switch {
		case r == '"' || r == '\\' || r < 0x20 || r == 0x7f:
			ascii.WriteByte('_')
		case r < 0x80:
			ascii.WriteRune(r)
		default:
			ascii.WriteByte('_')
		}
	}
	for _, b := range []byte(name) {
		if isAttrChar(b) {
			ext.WriteByte(b)
		} else {
			fmt.Fprintf(&ext, "%%%02X", b)
		}
	}
	return `attachment; filename="` + ascii.String() + `"; filename*=UTF-8''` + ext.String()
}

// isAttrChar is RFC 8187's attr-char: what filename* carries unencoded.
func isAttrChar(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", b) >= 0
}
