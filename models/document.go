package models

import (
	"io"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Document kinds: what a document proves about its record.
var DocumentKinds = []string{"agreement", "remittance", "correspondence", "other"}

// DocumentAgreement is the kind that lets a pledge become a commitment when
// its fund requires it.
const DocumentAgreement = "agreement"

// Documents are attached to records of kind RecordPledge or RecordContribution (reporting.go).

// Document is a file attached to a pledge or a contribution. Documents are
// never deleted: a superseded one leaves the lists and stays downloadable.
type Document struct {
	ID          int64     `json:"id"`
	RecordType  string    `json:"record_type"`
	RecordID    int64     `json:"record_id"`
	FundID      int64     `json:"fund_id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Kind        string    `json:"kind"`
	Note        string    `json:"note"`
	UploadedBy  string    `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`
	// Superseded is set (with who, when and why) once the document is superseded.
	Superseded      bool       `json:"superseded"`
	SupersededAt    *time.Time `json:"superseded_at"`
	SupersededBy    string     `json:"superseded_by"`
	SupersedeReason string     `json:"supersede_reason"`
}

// DocumentInput is what an upload says about its file, besides the bytes.
type DocumentInput struct {
	Filename string
	Kind     string
	Note     string
}

// Validate checks the kind and the note and cleans the filename.
func (in DocumentInput) Validate() (DocumentInput, Problems) {
	p := Problems{}
	out := DocumentInput{
		Filename: CleanFilename(in.Filename),
		Kind:     OneOf("kind", in.Kind, "", DocumentKinds, p),
		Note:     Text("note", in.Note, false, 2000, true, p),
	}
	return out, p
}

// MaxFilenameBytes bounds a cleaned filename.
const MaxFilenameBytes = 200

// CleanFilename makes a client's filename safe to store and to send back in
// a Content-Disposition header: the last path element only (either slash),
// no control characters (CR, LF, NUL…), no quotes, backslashes or characters
// that file systems refuse, no leading dots or spaces, at most 200 bytes (the
// extension kept). An empty result is "document".
func CleanFilename(name string) string {
	name = strings.ToValidUTF8(name, "")
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base("/" + name)
	var b strings.Builder
	for _, r := range name {
		switch {
		case unicode.IsControl(r) || r == utf8.RuneError || unicode.Is(unicode.Cf, r):
			// dropped: CR, LF, NUL, bidi overrides…
		case strings.ContainsRune(`"<>:|?*/`, r):
			b.WriteRune('_')
		case unicode.IsSpace(r):
			b.WriteRune(' ')
		default:
			b.WriteRune(r)
		}
	}
	name = strings.Trim(b.String(), " .")
	name = strings.Join(strings.Fields(name), " ")
	if len(name) > MaxFilenameBytes {
		ext := path.Ext(name)
		if len(ext) > 20 {
			ext = ""
		}
		stem := name[:MaxFilenameBytes-len(ext)]
		for !utf8.ValidString(stem) {
			stem = stem[:len(stem)-1]
		}
		name = strings.TrimRight(stem, " .") + ext
	}
	if name == "" || name == "/" {
		return "document"
	}
	return name
}

// DocumentFile is an upload checked by the caller: its content type sniffed,
// its size and sha256 computed, and its bytes readable again from the start
// (the write may run twice when a group commit is retried).
type DocumentFile struct {
	ContentType string
	Size        int64
	SHA256      string
	Content     io.ReadSeeker
}
