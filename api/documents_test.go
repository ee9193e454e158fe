package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/fundtracker/fundtracker/api"
)

// Issue 16: documents on pledges and contributions.

var pdfFile = []byte("%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n")

func pngFile() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

func jpegFile() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	var b bytes.Buffer
	jpeg.Encode(&b, img, nil)
	return b.Bytes()
}

// zipFile is a zip holding the named (empty-ish) parts.
func zipFile(names ...string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range names {
		f, _ := zw.Create(n)
		f.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><x/>`))
	}
	zw.Close()
	return b.Bytes()
}

var emailFile = []byte("From: Treasury <treasury@example.org>\r\nTo: fund@example.org\r\nSubject: Remittance advice TT-1\r\n" +
	"Date: Tue, 29 Jul 2025 10:00:00 +0000\r\nMessage-ID: <1@example.org>\r\n\r\nUSD 10.00 sent today.\r\n")

func TestDocumentsOfEachAcceptedType(t *testing.T) {
	e := newEnv(t)
	w := newWorld(t, e)
	for _, c := range []struct {
		name, filename, want string
		content              []byte
	}{
		{"pdf", "agreement.pdf", "application/pdf", pdfFile},
		{"png", "scan.png", "image/png", pngFile()},
		{"jpeg", "photo.jpg", "image/jpeg", jpegFile()},
		{"xlsx", "schedule.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			zipFile("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/worksheets/sheet1.xml")},
		{"docx", "letter.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
			zipFile("[Content_Types].xml", "_rels/.rels", "word/document.xml")},
		{"csv", "payments.csv", "text/csv", []byte("donor,amount\nMorocco,10.00\n")},
		{"csv without its extension", "payments", "text/csv", []byte("donor;amount;currency\nMorocco;10,00;USD\nChad;5,00;USD\n")},
		{"text", "advice.txt", "text/plain", []byte("Remittance advice\nTT-1, USD 10.00 — reçu\n")},
		{"e-mail", "advice.eml", "message/rfc822", emailFile},
		{"Windows-1252 CSV", "relevé.csv", "text/csv", []byte("donateur;montant\nMinist\xe8re;10,00\n")},
		// The declared type and the name are not trusted: the bytes decide.
		{"pdf named .txt, declared text", "advice.txt", "application/pdf", pdfFile},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := len(e.do("GET", "/api/v1/contributions/"+w.paidA+"/documents", e.staff, nil).status(200).items())
			r := e.upload("/api/v1/contributions/"+w.paidA+"/documents", w.manager, "remittance", c.filename, c.content,
				map[string]string{"note": "Bank advice", "Content-Type": "text/plain"}).status(http.StatusCreated)
			sum := sha256.Sum256(c.content)
			for k, v := range map[string]any{"filename": c.filename, "content_type": c.want, "size": float64(len(c.content)),
				"sha256": hex.EncodeToString(sum[:]), "kind": "remittance", "note": "Bank advice", "uploaded_by": "manager@example.org"} {
				if r.body[k] != v {
					t.Errorf("%s = %v, want %v", k, r.body[k], v)
				}
			}
			if _, ok := r.body["uploaded_at"].(string); !ok {
				t.Errorf("no uploaded_at in %s", r.raw)
			}
			items := e.do("GET", "/api/v1/contributions/"+w.paidA+"/documents", w.viewer, nil).status(200).items()
			if len(items) != before+1 || items[len(items)-1]["id"] != r.body["id"] {
				t.Errorf("list after upload: %d items (want %d), last %v", len(items), before+1, items[len(items)-1]["id"])
			}
			d := e.do("GET", "/api/v1/documents/"+sid(r), w.viewer, nil).status(200)
			if !bytes.Equal(d.raw, c.content) {
				t.Errorf("downloaded %d bytes, uploaded %d", len(d.raw), len(c.content))
			}
			if got := d.header.Get("Content-Type"); got != c.want {
				t.Errorf("Content-Type %q, want %q", got, c.want)
			}
			for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"} {
				if got := d.header.Get(h); got != want {
					t.Errorf("%s: %q, want %q", h, got, want)
				}
			}
			if cd := d.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "filename*=UTF-8''") {
				t.Errorf("Content-Disposition %q", cd)
			}
		})
	}
}

func TestDocumentsRefused(t *testing.T) {
	e := newEnvConfig(t, api.Config{DocumentMaxBytes: 64 << 10}, nil)
	w := newWorld(t, e)
	elf := append([]byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00"), bytes.Repeat([]byte{0}, 200)...)
	pe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), bytes.Repeat([]byte{0}, 200)...)
	path := "/api/v1/pledges/" + w.pledgeA + "/documents"
	before := e.counts()
	for _, c := range []struct {
		name, kind, filename string
		content              []byte
		extra                map[string]string
		status               int
		code, field          string
	}{
		{"ELF named x.pdf", "agreement", "x.pdf", elf, map[string]string{"Content-Type": "application/pdf"}, 415, "unsupported_media_type", ""},
		{"PE named x.pdf", "agreement", "x.pdf", pe, map[string]string{"Content-Type": "application/pdf"}, 415, "unsupported_media_type", ""},
		{"HTML named x.txt", "other", "x.txt", []byte("<html><body><script>alert(1)</script></body></html>"), nil, 415, "unsupported_media_type", ""},
		{"SVG", "other", "x.png", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), nil, 415, "unsupported_media_type", ""},
		{"SVG without an XML declaration", "other", "x.txt", []byte("\ufeff\n <svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"), nil, 415, "unsupported_media_type", ""},
		{"SVG doctype", "other", "x.txt", []byte(`<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x"><svg/>`), nil, 415, "unsupported_media_type", ""},
		{"GIF", "other", "x.gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), nil, 415, "unsupported_media_type", ""},
		{"a zip that is no Office file", "other", "x.xlsx", zipFile("payload.exe"), nil, 415, "unsupported_media_type", ""},
		{"text that turns binary after 512 bytes", "other", "x.txt", append(bytes.Repeat([]byte("a"), 600), 0, 1, 2, 0x7f, 'E', 'L', 'F'), nil, 415, "unsupported_media_type", ""},
		{"UTF-16 text", "other", "x.txt", []byte("\xff\xfeh\x00i\x00"), nil, 415, "unsupported_media_type", ""},
		{"text with a NUL after 512 bytes", "other", "x.csv", append(bytes.Repeat([]byte("a,b\n"), 200), 0, 'a'), nil, 415, "unsupported_media_type", ""},
		{"oversized", "agreement", "big.pdf", append(append([]byte{}, pdfFile...), bytes.Repeat([]byte("%"), 64<<10)...), nil, 413, "payload_too_large", ""},
		{"no kind", "", "a.pdf", pdfFile, nil, 422, "validation_failed", "kind"},
		{"unknown kind", "invoice", "a.pdf", pdfFile, nil, 422, "validation_failed", "kind"},
		{"no file", "agreement", "", nil, nil, 422, "validation_failed", "file"},
		{"empty file", "agreement", "a.pdf", []byte{}, nil, 422, "validation_failed", "file"},
		{"unknown field", "agreement", "a.pdf", pdfFile, map[string]string{"owner": "x"}, 422, "validation_failed", "owner"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.upload(path, e.staff, c.kind, c.filename, c.content, c.extra).fails(c.status, c.code, c.field)
		})
	}
	e.do("POST", path, e.staff, `{"kind": "agreement"}`).fails(415, "unsupported_media_type", "")
	e.unchanged(before, "refused uploads")
}

func TestDocumentFilenamesAreCleaned(t *testing.T) {
	e := newEnv(t)
	w := newWorld(t, e)
	for _, c := range []struct{ given, want string }{
		{"../../x.pdf", "x.pdf"},
		{`..\..\windows\x.pdf`, "x.pdf"},
		{`a"b".pdf`, "a_b_.pdf"},
		{"evil\r\nSet-Cookie: x=1.pdf", "evilSet-Cookie_ x=1.pdf"},
		{"/etc/passwd", "passwd"},
		{"...", "document"},
		{"accord signé — Maroc.pdf", "accord signé — Maroc.pdf"},
		{"\u202egnp.pdf", "gnp.pdf"},
	} {
		t.Run(c.want, func(t *testing.T) {
			r := e.upload("/api/v1/pledges/"+w.pledgeA+"/documents", e.staff, "correspondence", c.given, pdfFile, nil).status(201)
			if r.body["filename"] != c.want {
				t.Errorf("filename %q became %q, want %q", c.given, r.body["filename"], c.want)
			}
			d := e.do("GET", "/api/v1/documents/"+sid(r), e.staff, nil).status(200)
			cd := d.header.Get("Content-Disposition")
			if strings.ContainsAny(cd, "\r\n/\\") || strings.Count(cd, `"`) != 2 {
				t.Errorf("Content-Disposition %q", cd)
			}
		})
	}
	r := e.upload("/api/v1/pledges/"+w.pledgeA+"/documents", e.staff, "other", "accord signé.pdf", pdfFile, nil).status(201)
	cd := e.do("GET", "/api/v1/documents/"+sid(r), e.staff, nil).status(200).header.Get("Content-Disposition")
	if want := `attachment; filename="accord sign_.pdf"; filename*=UTF-8''accord%20sign%C3%A9.pdf`; cd != want {
		t.Errorf("Content-Disposition %q, want %q", cd, want)
	}
}

func TestTamperedDocumentIsNeverServed(t *testing.T) {
	e := newEnv(t)
	w := newWorld(t, e)
	secret := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("confidential "), 30000)...) // two chunks
	r := e.upload("/api/v1/pledges/"+w.pledgeA+"/documents", e.staff, "agreement", "a.pdf", secret, nil).status(201)
	id := sid(r)
	e.do("GET", "/api/v1/documents/"+id, e.staff, nil).status(200)
	if err := e.store.TamperDocumentForTest(context.Background(), r.id(), 1); err != nil {
		t.Fatal(err)
	}
	d := e.do("GET", "/api/v1/documents/"+id, e.staff, nil).fails(http.StatusInternalServerError, "internal", "")
	if bytes.Contains(d.raw, []byte("confidential")) || d.header.Get("Content-Disposition") != "" {
		t.Errorf("a tampered document was served: %.200s", d.raw)
	}
}

func TestSupersededDocumentsLeaveListsNotDownloads(t *testing.T) {
	e := newEnv(t)
	w := newWorld(t, e)
	path := "/api/v1/pledges/" + w.pledgeA + "/documents"
	doc := sid(e.upload(path, e.staff, "agreement", "draft.pdf", pdfFile, nil).status(201))
	e.do("POST", "/api/v1/documents/"+doc+"/supersede", e.staff, map[string]any{}).fails(422, "validation_failed", "reason")
	e.do("POST", "/api/v1/documents/"+doc+"/supersede", w.viewer, map[string]any{"reason": "x"}).fails(403, "forbidden", "")
	e.do("POST", "/api/v1/documents/"+w.docB+"/supersede", w.manager, map[string]any{"reason": "x"}).fails(403, "forbidden", "")
	s := e.do("POST", "/api/v1/documents/"+doc+"/supersede", w.manager, map[string]any{"reason": "Countersigned copy received"}).status(200)
	if s.body["superseded"] != true || s.body["supersede_reason"] != "Countersigned copy received" || s.body["superseded_by"] != "manager@example.org" {
		t.Errorf("superseded document: %s", s.raw)
	}
	e.do("POST", "/api/v1/documents/"+doc+"/supersede", e.staff, map[string]any{"reason": "again"}).fails(409, "conflict", "")
	for _, it := range e.do("GET", path, e.staff, nil).status(200).items() {
		if sid := it["id"].(float64); int64(sid) == mustInt(doc) {
			t.Errorf("a superseded document is still listed")
		}
	}
	if d := e.do("GET", "/api/v1/documents/"+doc, e.staff, nil).status(200); !bytes.Equal(d.raw, pdfFile) {
		t.Errorf("a superseded document is no longer downloadable")
	}
	audit := e.do("GET", "/api/v1/audit?entity=document&entity_id="+doc, w.auditor, nil).status(200).items()
	if len(audit) != 2 || audit[0]["action"] != "supersede" || audit[1]["action"] != "create" {
		t.Errorf("audit of the document: %v", audit)
	}
	e.do("GET", "/api/v1/pledges/999999/documents", e.staff, nil).fails(404, "not_found", "")
	e.upload("/api/v1/pledges/999999/documents", e.staff, "agreement", "a.pdf", pdfFile, nil).fails(404, "not_found", "")
}

func mustInt(s string) int64 {
	var n int64
	for _, c := range s {
		n = n*10 + int64(c-'0')
	}
	return n
}

func TestAgreementRequiredForCommitment(t *testing.T) {
	e := newEnv(t)
	w := newWorld(t, e)
	pledge := func(stage string) *response {
		return e.do("POST", "/api/v1/pledges", e.staff, map[string]any{"fund_id": jsonNumber(w.fundA), "donor_id": jsonNumber(w.donor),
			"amount": "500.00", "currency": "USD", "pledged_on": "2025-07-01", "stage": stage})
	}
	// Without the setting, a pledge becomes a commitment freely.
	pledge("commitment").status(201)
	p := sid(pledge("pledge").status(201))
	e.do("PATCH", "/api/v1/pledges/"+p, e.staff, map[string]any{"stage": "commitment"}).status(200)

	e.do("PATCH", "/api/v1/funds/"+w.fundA, e.staff, map[string]any{"require_agreement_for_commitment": true}).fails(403, "forbidden", "")
	f := e.do("PATCH", "/api/v1/funds/"+w.fundA, e.admin, map[string]any{"require_agreement_for_commitment": true}).status(200)
	if f.body["require_agreement_for_commitment"] != true {
		t.Fatalf("fund: %s", f.raw)
	}
	before := e.counts()
	pledge("commitment").fails(422, "validation_failed", "stage")
	e.unchanged(before, "a commitment without agreement")
	q := sid(pledge("pledge").status(201))
	e.do("PATCH", "/api/v1/pledges/"+q, e.staff, map[string]any{"stage": "commitment"}).fails(422, "validation_failed", "stage")
	e.upload("/api/v1/pledges/"+q+"/documents", e.staff, "remittance", "advice.pdf", pdfFile, nil).status(201)
	e.do("PATCH", "/api/v1/pledges/"+q, e.staff, map[string]any{"stage": "commitment"}).fails(422, "validation_failed", "stage")
	agr := sid(e.upload("/api/v1/pledges/"+q+"/documents", e.staff, "agreement", "saa.pdf", pdfFile, nil).status(201))
	e.do("POST", "/api/v1/documents/"+agr+"/supersede", e.staff, map[string]any{"reason": "wrong file"}).status(200)
	e.do("PATCH", "/api/v1/pledges/"+q, e.staff, map[string]any{"stage": "commitment"}).fails(422, "validation_failed", "stage")
	e.upload("/api/v1/pledges/"+q+"/documents", e.staff, "agreement", "saa-signed.pdf", pdfFile, nil).status(201)
	if r := e.do("PATCH", "/api/v1/pledges/"+q, e.staff, map[string]any{"stage": "commitment"}).status(200); r.body["stage"] != "commitment" {
		t.Errorf("stage: %s", r.raw)
	}
	// Pledges already committed are not touched; other funds are not concerned.
	e.do("PATCH", "/api/v1/pledges/"+p, e.staff, map[string]any{"reference": "AGR-1"}).status(200)
	e.do("POST", "/api/v1/pledges", e.staff, map[string]any{"fund_id": jsonNumber(w.fundB), "donor_id": jsonNumber(w.donor),
		"amount": "500.00", "currency": "USD", "pledged_on": "2025-07-01", "stage": "commitment"}).status(201)
}

func TestDocumentUploadIsIdempotent(t *testing.T) {
	e := newEnv(t)
	w := newWorld(t, e)
	path := "/api/v1/contributions/" + w.paidA + "/documents"
	send := func(key string, content []byte) *response {
		body, ct := multipartBody("remittance", "advice.pdf", content, nil)
		return e.do("POST", path, e.staff, string(body), "Content-Type", ct, "Idempotency-Key", key)
	}
	first := send("upload-1", pdfFile).status(201)
	before := e.counts()
	again := send("upload-1", pdfFile).status(201)
	if again.header.Get("Idempotent-Replayed") != "true" || again.body["id"] != first.body["id"] {
		t.Errorf("replay: %s (first %s)", again.raw, first.raw)
	}
	e.unchanged(before, "a replayed upload")
	send("upload-1", append([]byte("%PDF-1.5\n"), pdfFile...)).fails(409, "conflict", "")
	e.unchanged(before, "an upload reusing a key")
	if second := send("upload-2", pdfFile).status(201); second.body["id"] == first.body["id"] {
		t.Errorf("another key made no new document")
	}
}
