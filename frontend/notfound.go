package frontend

import (
	"net/http"
	"strconv"
)

// NotFoundPage answers 404 with the "not found" page in the request's
// language: /funds/{code} of no fund (issue 10).
func NotFoundPage(w http.ResponseWriter, r *http.Request) { built.notFound(w, r) }

// notFound answers 404 with the "not found" page in the request's language.
func (s *site) notFound(w http.ResponseWriter, r *http.Request) {
	lang, _ := chooseLanguage(r)
	a := s.pages["notfound/"+lang]
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Content-Language", lang)
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "Accept-Encoding, Accept-Language, Cookie")
	h.Set("X-Content-Type-Options", "nosniff")
	body := a.body
	if a.gz != nil && acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body = a.gz
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusNotFound)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}
