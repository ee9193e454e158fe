// Package frontend serves fundtracker's browser pages: the public home page and fund
// dashboard, and the staff console. Everything is embedded in the binary; the pages talk to
// the server only through the REST API under /api/v1.
//
// At init every static file gets a fingerprinted URL (/static/js/fund.3f2a1c9e.js, the hash
// of its content after its own references were rewritten), so assets are cached for a year,
// and each page is rendered once per language with html/template (lang, dir, translated
// text), so the right language shows without a flash. Text is gzip-compressed at init.
package frontend

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/language"
)

//go:embed static/*.html static/css static/js static/i18n static/img static/vendor/*.js
var files embed.FS

// Languages the pages are translated into; the first is the default.
var Languages = []string{"en", "fr", "ar"}

// rtl lists the languages written right to left.
var rtl = map[string]bool{"ar": true}

// Pages maps each page's name to its template file.
var pages = map[string]string{"home": "home.html", "fund": "fund.html", "staff": "staff.html", "notfound": "notfound.html"}

const (
	assetCacheControl = "public, max-age=31536000, immutable"
	pageCacheControl  = "no-cache"
	langCookie        = "lang"
)

// resource is one response body ready to serve, plain and gzipped.
type resource struct {
	body, gz    []byte
	contentType string
	etag        string
}

type site struct {
	assets map[string]*resource          // by URL path, e.g. /static/js/fund.3f2a1c9e.js
	urls   map[string]string             // logical name (js/fund.js) -> URL path
	pages  map[string]*resource          // by page + "/" + language
	tmpl   map[string]*template.Template // by language: pages rendered with data (issue 15)
}

var built = mustBuild()

// Handler serves GET/HEAD /, /funds/{code}, /staff and /static/...
func Handler() http.Handler { return built }

// AssetURL gives the fingerprinted URL of a static file by its name under static/
// (e.g. "js/fund.js"), or "" when there is no such file.
func AssetURL(name string) string { return built.urls[name] }

func mustBuild() *site {
	s, err := build()
	if err != nil {
		panic("frontend: " + err.Error())
	}
	return s
}

func build() (*site, error) {
	s := &site{assets: map[string]*resource{}, urls: map[string]string{}, pages: map[string]*resource{}, tmpl: map[string]*template.Template{}}
	static, err := fs.Sub(files, "static")
	if err != nil {
		return nil, err
	}
	var names []string
	err = fs.WalkDir(static, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && path.Ext(p) != ".html" {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	f := &fingerprinter{fsys: static, site: s, visiting: map[string]bool{}}
	for _, n := range names {
		if _, err := f.url(n); err != nil {
			return nil, err
		}
	}
	if err := s.renderPages(static); err != nil {
		return nil, err
	}
	return s, nil
}

// fingerprinter gives each static file its URL, first rewriting the references it makes
// to other static files (ES module imports, CSS url()) so that a change anywhere below a
// file changes its hash too.
type fingerprinter struct {
	fsys     fs.FS
	site     *site
	visiting map[string]bool
}

var (
	jsRef  = regexp.MustCompile(`(\bfrom\s*|\bimport\s*\(?\s*)(['"])(\.{1,2}/[^'"]+)(['"])`)
	cssRef = regexp.MustCompile(`url\(\s*(['"]?)(\.{1,2}/[^'")]+)(['"]?)\s*\)`)
)

func (f *fingerprinter) url(name string) (string, error) {
	if u, ok := f.site.urls[name]; ok {
		return u, nil
	}
	if f.visiting[name] {
		return "", fmt.Errorf("reference cycle through %s", name)
	}
	f.visiting[name] = true
	defer delete(f.visiting, name)

	body, err := fs.ReadFile(f.fsys, name)
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(name, "vendor/") {
		switch path.Ext(name) {
		case ".js":
			body, err = f.rewrite(name, body, jsRef, 3)
		case ".css":
			body, err = f.rewrite(name, body, cssRef, 2)
		}
		if err != nil {
			return "", err
		}
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:4])
	ext := path.Ext(name)
	u := "/static/" + strings.TrimSuffix(name, ext) + "." + hash + ext
	f.site.urls[name] = u
	f.site.assets[u] = newResource(body, contentType(ext), hash)
	return u, nil
}

// rewrite replaces the relative reference held by submatch group of re with the
// referenced file's fingerprinted URL.
func (f *fingerprinter) rewrite(name string, body []byte, re *regexp.Regexp, group int) ([]byte, error) {
	var firstErr error
	out := re.ReplaceAllFunc(body, func(m []byte) []byte {
		sub := re.FindSubmatchIndex(m)
		ref := string(m[sub[2*group]:sub[2*group+1]])
		target := path.Join(path.Dir(name), ref)
		u, err := f.url(target)
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("%s refers to %s: %w", name, ref, err)
			}
			return m
		}
		return append(append(append([]byte{}, m[:sub[2*group]]...), u...), m[sub[2*group+1]:]...)
	})
	return out, firstErr
}

func contentType(ext string) string {
	switch ext {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".json":
		return "application/json; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

func newResource(body []byte, ctype, etag string) *resource {
	// Weak ETag: the plain and gzipped bodies are the same representation.
	r := &resource{body: body, contentType: ctype, etag: `W/"` + etag + `"`}
	if compressible(ctype) {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		if buf.Len() < len(body) {
			r.gz = buf.Bytes()
		}
	}
	return r
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "json") || strings.Contains(ctype, "svg")
}

// Dictionary reads the translation file of a language (flat "key": "text").
func Dictionary(lang string) (map[string]string, error) {
	raw, err := files.ReadFile("static/i18n/" + lang + ".json")
	if err != nil {
		return nil, err
	}
	dict := map[string]string{}
	if err := json.Unmarshal(raw, &dict); err != nil {
		return nil, fmt.Errorf("i18n/%s.json: %w", lang, err)
	}
	return dict, nil
}

// pageData is what the page templates see.
type pageData struct {
	Lang, Dir string
	Languages []string
	// Issue 15: the meta description, and the fund page's data when rendered with it.
	Description string
	Fund        *FundData
}

func (s *site) renderPages(static fs.FS) error {
	asset := func(name string) (string, error) {
		if u, ok := s.urls[name]; ok {
			return u, nil
		}
		return "", fmt.Errorf("no static file %q", name)
	}
	for _, lang := range Languages {
		dict, err := Dictionary(lang)
		if err != nil {
			return err
		}
		funcs := funcs(lang, dict, asset) // issue 15: the formatting helpers of render.go
		for k, v := range (template.FuncMap{
			"asset": asset,
			"t": func(key string) (string, error) {
				if v := dict[key]; v != "" {
					return v, nil
				}
				return "", fmt.Errorf("i18n/%s.json has no %q", lang, key)
			},
			// languageName is each language's own name, for the switcher.
			"languageName": func(l string) string { return languageNames[l] },
		}) {
			funcs[k] = v
		}
		tmpl, err := template.New("").Funcs(funcs).ParseFS(static, "*.html")
		if err != nil {
			return err
		}
		s.tmpl[lang] = tmpl
		data := pageData{Lang: lang, Dir: "ltr", Languages: Languages, Description: dict["common.description"]}
		if rtl[lang] {
			data.Dir = "rtl"
		}
		for page, file := range pages {
			var buf bytes.Buffer
			if err := tmpl.ExecuteTemplate(&buf, file, data); err != nil {
				return err
			}
			sum := sha256.Sum256(buf.Bytes())
			s.pages[page+"/"+lang] = newResource(buf.Bytes(), "text/html; charset=utf-8", hex.EncodeToString(sum[:8]))
		}
	}
	return nil
}

var languageNames = map[string]string{"en": "English", "fr": "Français", "ar": "العربية"}

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	if strings.HasPrefix(p, "/static/") {
		a, ok := s.assets[p]
		if !ok {
			http.NotFound(w, r)
			return
		}
		serve(w, r, a, assetCacheControl, "Accept-Encoding")
		return
	}
	page := pageFor(p)
	if page == "" {
		http.NotFound(w, r)
		return
	}
	lang, fromQuery := chooseLanguage(r)
	if fromQuery {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/",
			MaxAge: int((365 * 24 * time.Hour).Seconds()), SameSite: http.SameSiteLaxMode})
	}
	w.Header().Set("Content-Language", lang)
	serve(w, r, s.pages[page+"/"+lang], pageCacheControl, "Accept-Encoding, Accept-Language, Cookie")
}

func pageFor(p string) string {
	switch {
	case p == "/":
		return "home"
	case p == "/staff":
		return "staff"
	case strings.HasPrefix(p, "/funds/"):
		code := strings.TrimPrefix(p, "/funds/")
		if code != "" && !strings.Contains(code, "/") {
			return "fund"
		}
	}
	return ""
}

var matcher = language.NewMatcher([]language.Tag{language.English, language.French, language.Arabic})

// chooseLanguage picks the page language from ?lang=, then the lang cookie, then
// Accept-Language; fromQuery says it came from ?lang= (and should be remembered).
func chooseLanguage(r *http.Request) (lang string, fromQuery bool) {
	if l := r.URL.Query().Get("lang"); supported(l) {
		return l, true
	}
	if c, err := r.Cookie(langCookie); err == nil && supported(c.Value) {
		return c.Value, false
	}
	if h := r.Header.Get("Accept-Language"); h != "" {
		tags, _, err := language.ParseAcceptLanguage(h)
		if err == nil && len(tags) > 0 {
			if _, i, conf := matcher.Match(tags...); conf != language.No {
				return Languages[i], false
			}
		}
	}
	return Languages[0], false
}

func supported(l string) bool {
	for _, s := range Languages {
		if l == s {
			return true
		}
	}
	return false
}

func serve(w http.ResponseWriter, r *http.Request, a *resource, cacheControl, vary string) {
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", cacheControl)
	h.Set("Vary", vary)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", a.etag)
	if r.Header.Get("If-None-Match") == a.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := a.body
	if a.gz != nil && acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body = a.gz
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body)
}

// acceptsGzip reads an Accept-Encoding header: gzip (or *) listed without q=0.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		fields := strings.Split(part, ";")
		coding := strings.ToLower(strings.TrimSpace(fields[0]))
		if coding != "gzip" && coding != "*" {
			continue
		}
		refused := false
		for _, param := range fields[1:] {
			if q, ok := strings.CutPrefix(strings.ReplaceAll(param, " ", ""), "q="); ok {
				refused = strings.Trim(q, "0.") == ""
			}
		}
		if !refused {
			return true
		}
	}
	return false
}
