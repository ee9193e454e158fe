package frontend_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/fundtracker/fundtracker/frontend"
)

func get(t *testing.T, target string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	frontend.Handler().ServeHTTP(rec, req)
	return rec
}

func TestPagesLanguageAndDirection(t *testing.T) {
	cases := []struct {
		target string
		header map[string]string
		lang   string
	}{
		{"/", nil, "en"},
		{"/funds/iom-resilience-fund?lang=ar", nil, "ar"},
		{"/staff?lang=fr", map[string]string{"Accept-Language": "ar"}, "fr"},
		{"/", map[string]string{"Cookie": "lang=ar", "Accept-Language": "fr"}, "ar"},
		{"/", map[string]string{"Accept-Language": "de-DE, fr-CH;q=0.8, en;q=0.5"}, "fr"},
		{"/", map[string]string{"Accept-Language": "ar-MA"}, "ar"},
		{"/", map[string]string{"Accept-Language": "de"}, "en"},
		{"/?lang=xx", map[string]string{"Cookie": "lang=zz"}, "en"},
	}
	for _, c := range cases {
		rec := get(t, c.target, c.header)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d", c.target, rec.Code)
		}
		dir := "ltr"
		if c.lang == "ar" {
			dir = "rtl"
		}
		want := `<html lang="` + c.lang + `" dir="` + dir + `">`
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("%s %v: want %s in the page", c.target, c.header, want)
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("%s: Cache-Control %q", c.target, cc)
		}
	}
	rec := get(t, "/?lang=fr", nil)
	if c := rec.Header().Get("Set-Cookie"); !strings.HasPrefix(c, "lang=fr;") {
		t.Errorf("?lang=fr should be remembered in a cookie, Set-Cookie %q", c)
	}
}

func TestNotFound(t *testing.T) {
	for _, target := range []string{"/nope", "/funds/", "/funds/a/b", "/static/js/fund.js", "/static/nope.12345678.js"} {
		if rec := get(t, target, nil); rec.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", target, rec.Code)
		}
	}
}

var assetRef = regexp.MustCompile(`(?:src|href|content)="(/static/[^"]+)"`)

// Every asset a page names is fingerprinted, immutable, gzipped on request, and the pages
// keep to the server's Content-Security-Policy (no inline script, style or handler).
func TestAssetsAndCSP(t *testing.T) {
	fingerprinted := regexp.MustCompile(`\.[0-9a-f]{8}\.[a-z]+$`)
	for _, page := range []string{"/", "/funds/iom-resilience-fund", "/staff"} {
		for _, lang := range frontend.Languages {
			body := get(t, page+"?lang="+lang, nil).Body.String()
			checkCSP(t, page, body)
			refs := assetRef.FindAllStringSubmatch(body, -1)
			if len(refs) < 3 {
				t.Fatalf("%s: only %d assets referenced", page, len(refs))
			}
			for _, m := range refs {
				u := m[1]
				if !fingerprinted.MatchString(u) {
					t.Errorf("%s names %s, which is not fingerprinted", page, u)
				}
				rec := get(t, u, map[string]string{"Accept-Encoding": "gzip, deflate, br"})
				if rec.Code != http.StatusOK {
					t.Fatalf("%s: status %d", u, rec.Code)
				}
				if cc := rec.Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
					t.Errorf("%s: Cache-Control %q", u, cc)
				}
				if strings.HasPrefix(rec.Header().Get("Content-Type"), "text/") && rec.Header().Get("Content-Encoding") != "gzip" {
					t.Errorf("%s: not gzipped", u)
				}
			}
		}
	}
}

func checkCSP(t *testing.T, page, body string) {
	t.Helper()
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`<script(?:\s+type="module")?>`), // inline script
		regexp.MustCompile(`<style`),                        // inline stylesheet
		regexp.MustCompile(`\sstyle=`),                      // style attribute
		regexp.MustCompile(`\son[a-z]+=`),                   // event handler attribute
		regexp.MustCompile(`(?:src|href)="(?:https?:)?//`),  // another origin
		regexp.MustCompile(`javascript:`),
	} {
		if loc := bad.FindStringIndex(body); loc != nil {
			t.Errorf("%s breaks the CSP: %q", page, body[loc[0]:min(len(body), loc[1]+40)])
		}
	}
}

func TestGzipAndConditionalRequests(t *testing.T) {
	js := frontend.AssetURL("js/fund.js")
	plain := get(t, js, nil)
	if plain.Header().Get("Content-Encoding") != "" {
		t.Fatal("gzip sent to a client that did not ask for it")
	}
	gz := get(t, js, map[string]string{"Accept-Encoding": "gzip"})
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	if !bytes.Equal(unzipped, plain.Body.Bytes()) {
		t.Fatal("gzipped body differs from the plain one")
	}
	if get(t, js, map[string]string{"Accept-Encoding": "gzip;q=0"}).Header().Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 means no gzip")
	}
	etag := plain.Header().Get("ETag")
	if rec := get(t, js, map[string]string{"If-None-Match": etag}); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d, want 304", rec.Code)
	}
	// A module's imports point at fingerprinted files too.
	if !strings.Contains(plain.Body.String(), frontend.AssetURL("js/i18n.js")) {
		t.Error("fund.js does not import the fingerprinted i18n.js")
	}
}

// The dashboard's first load (page, CSS, scripts, translations, Chart.js) stays small.
func TestDashboardWeight(t *testing.T) {
	page := get(t, "/funds/iom-resilience-fund", map[string]string{"Accept-Encoding": "gzip"})
	total := page.Body.Len()
	seen := map[string]bool{}
	var walk func(u string)
	walk = func(u string) {
		if seen[u] {
			return
		}
		seen[u] = true
		rec := get(t, u, map[string]string{"Accept-Encoding": "gzip"})
		total += rec.Body.Len()
		plain := get(t, u, nil).Body.String()
		for _, m := range regexp.MustCompile(`/static/[^'"\s)]+\.[0-9a-f]{8}\.[a-z]+`).FindAllString(plain, -1) {
			walk(m)
		}
	}
	for _, m := range assetRef.FindAllStringSubmatch(get(t, "/funds/iom-resilience-fund", nil).Body.String(), -1) {
		walk(m[1])
	}
	t.Logf("dashboard first load: %d bytes over %d files", total, len(seen)+1)
	if total > 300*1024 {
		t.Errorf("dashboard first load is %d bytes, over 300 KB", total)
	}
}

// The vendored Chart.js is the version the Makefile pins.
func TestVendoredChartVersion(t *testing.T) {
	mk, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatalf("read the Makefile that pins the vendored versions: %v", err)
	}
	m := regexp.MustCompile(`CHARTJS_VERSION\s*\?=\s*(\S+)`).FindSubmatch(mk)
	if m == nil {
		t.Fatal("CHARTJS_VERSION not in the Makefile")
	}
	js, err := os.ReadFile("static/vendor/chart.umd.min.js")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(js[:200], []byte("Chart.js v"+string(m[1]))) {
		t.Errorf("static/vendor/chart.umd.min.js is not Chart.js %s: run make vendor-js", m[1])
	}
}
