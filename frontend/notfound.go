package frontend

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
)

// FundPages serves /funds/{code}: the fund's dashboard when exists says there
// is such a fund, else a 404 page in the page's language (issue 10). When
// exists fails (the database is down), the dashboard is served: its script
// says what the API answers.
func FundPages(exists func(ctx context.Context, code string) (bool, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code := strings.TrimPrefix(r.URL.Path, "/funds/")
		if pageFor(r.URL.Path) == "fund" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			ok, err := exists(r.Context(), code)
			if err != nil {
				slog.WarnContext(r.Context(), "fund page: cannot tell whether the fund exists", "code", code, "error", err)
			} else if !ok {
				built.notFound(w, r)
				return
			}
		}
		built.ServeHTTP(w, r)
	})
}

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
