package frontend

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"strings"

	"github.com/fundtracker/fundtracker/models"
)

// Issue 15: pages rendered per request with data (the donor's statement, the
// receipt, the embeddable widget, the fund page's headline figures), from the
// templates in templates/ plus the shared layout, in the page's language.

//go:embed templates/*.html templates/*.css
var templateFiles embed.FS

// Page is what a dynamic template sees.
type Page struct {
	Lang, Dir   string
	Languages   []string
	Description string // the meta description
	D           any    // the page's own data
}

var dynamic = mustDynamic()

func mustDynamic() map[string]*template.Template {
	out := map[string]*template.Template{}
	static, err := fs.Sub(files, "static")
	if err != nil {
		panic(err)
	}
	for _, lang := range Languages {
		dict, err := Dictionary(lang)
		if err != nil {
			panic("frontend: " + err.Error())
		}
		t := template.New("").Funcs(funcs(lang, dict, func(name string) (string, error) {
			if u, ok := built.urls[name]; ok {
				return u, nil
			}
			return "", fmt.Errorf("no static file %q", name)
		}))
		if t, err = t.ParseFS(static, "layout.html"); err == nil {
			t, err = t.ParseFS(templateFiles, "templates/*.html")
		}
		if err != nil {
			panic("frontend: " + err.Error())
		}
		out[lang] = t
	}
	return out
}

func funcs(lang string, dict map[string]string, asset func(string) (string, error)) template.FuncMap {
	text := func(key string) (string, error) {
		if v := dict[key]; v != "" {
			return v, nil
		}
		return "", fmt.Errorf("i18n/%s.json has no %q", lang, key)
	}
	return template.FuncMap{
		"asset": asset,
		"t":     text,
		// tt fills {name} placeholders as plain text (titles, attributes).
		"tt": func(key string, kv ...any) (string, error) {
			s, err := text(key)
			for i := 0; i+1 < len(kv); i += 2 {
				s = strings.ReplaceAll(s, "{"+fmt.Sprint(kv[i])+"}", fmt.Sprint(kv[i+1]))
			}
			return s, err
		},
		// tf fills {name} placeholders, each value escaped and isolated in <bdi>, so that a
		// Latin name keeps its direction inside Arabic text (and the reverse).
		"tf": func(key string, kv ...any) (template.HTML, error) {
			s, err := text(key)
			if err != nil {
				return "", err
			}
			s = template.HTMLEscapeString(s)
			for i := 0; i+1 < len(kv); i += 2 {
				v := template.HTMLEscapeString(fmt.Sprint(kv[i+1]))
				s = strings.ReplaceAll(s, "{"+fmt.Sprint(kv[i])+"}", "<bdi>"+v+"</bdi>")
			}
			return template.HTML(s), nil
		},
		"tenum": func(group, v string) string {
			if s := dict[group+"."+v]; s != "" {
				return s
			}
			return v
		},
		"usd":          func(m models.Money) string { return FormatUSD(lang, m) },
		"money":        func(m models.Money, cur string) string { return FormatMoney(lang, m, cur) },
		"percent":      func(p string) string { return FormatPercent(lang, p) },
		"date":         func(d models.Date) string { return FormatDate(lang, d) },
		"languageName": func(l string) string { return languageNames[l] },
		"css":          func(s string) template.CSS { return template.CSS(s) },
		"list":         func(v ...string) []string { return v },
	}
}

// Render executes a template of templates/ (by file name) in lang.
func Render(name, lang string, data any, description string) ([]byte, error) {
	t, ok := dynamic[lang]
	if !ok {
		t, lang = dynamic["en"], "en"
	}
	p := Page{Lang: lang, Dir: "ltr", Languages: Languages, Description: description, D: data}
	if rtl[lang] {
		p.Dir = "rtl"
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// T is a page text in lang (the key itself when missing).
func T(lang, key string) string {
	dict, err := Dictionary(lang)
	if err != nil || dict[key] == "" {
		return key
	}
	return dict[key]
}

// EmbedCSS is the embed page's only style, inline so that the page makes no
// other request; EmbedStyleHash is its CSP source.
var EmbedCSS = strings.TrimSpace(mustRead("templates/embed.css"))

// EmbedStyleHash is the CSP hash source of EmbedCSS.
var EmbedStyleHash = func() string {
	sum := sha256.Sum256([]byte(EmbedCSS))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

func mustRead(name string) string {
	b, err := templateFiles.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}
