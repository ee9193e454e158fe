package models

import (
	"sort"
	"strings"
	"unicode"
)

// Languages the public answers and pages speak; the first is the base language
// (the base fields of funds and donors are written in it).
var Languages = []string{"en", "fr", "ar"}

// TranslationLanguages are the languages a fund or donor may be given
// translations in (the base fields are English).
var TranslationLanguages = []string{"fr", "ar"}

// AnonymousNames is how an anonymous donor is named in public, per language.
var AnonymousNames = map[string]string{"en": AnonymousName, "fr": "Donateur anonyme", "ar": "مانح مجهول"}

// AnonymousNameIn is the public name of an anonymous donor in a language.
func AnonymousNameIn(lang string) string {
	if n := AnonymousNames[lang]; n != "" {
		return n
	}
	return AnonymousName
}

// IsRTL reports whether a language is written right to left.
func IsRTL(lang string) bool { return lang == "ar" }

// FundTranslation is a fund's text in one language; an empty field falls back
// to the base field.
type FundTranslation struct {
	Name         string `json:"name"`
	Description  string `json:"description"`
	Organization string `json:"organization"`
}

// FundTranslationInput is one language of "translations" on POST and PATCH
// /funds: a field left out keeps its value, "" clears it.
type FundTranslationInput struct {
	Name         *string `json:"name"`
	Description  *string `json:"description"`
	Organization *string `json:"organization"`
}

// applyFundTranslations merges the input's languages into t: a language given
// as null is removed, a field left out is kept.
func applyFundTranslations(t map[string]FundTranslation, in map[string]*FundTranslationInput, p Problems) map[string]FundTranslation {
	out := map[string]FundTranslation{}
	for k, v := range t {
		out[k] = v
	}
	for _, lang := range sortedKeys(in) {
		field := "translations." + lang
		if !oneOfList(lang, TranslationLanguages) {
			p.Add(field, "is not a translation language (one of "+strings.Join(TranslationLanguages, ", ")+")")
			continue
		}
		ti := in[lang]
		if ti == nil {
			delete(out, lang)
			continue
		}
		cur := out[lang]
		if ti.Name != nil {
			cur.Name = Text(field+".name", *ti.Name, false, 200, false, p)
		}
		if ti.Description != nil {
			cur.Description = Text(field+".description", *ti.Description, false, 5000, true, p)
		}
		if ti.Organization != nil {
			cur.Organization = Text(field+".organization", *ti.Organization, false, 200, false, p)
		}
		if cur == (FundTranslation{}) {
			delete(out, lang)
		} else {
			out[lang] = cur
		}
	}
	return out
}

// applyDisplayNames merges a donor's display names: a language given as null
// or "" is removed.
func applyDisplayNames(names map[string]string, in map[string]*string, p Problems) map[string]string {
	out := map[string]string{}
	for k, v := range names {
		out[k] = v
	}
	for _, lang := range sortedKeys(in) {
		field := "display_names." + lang
		if !oneOfList(lang, TranslationLanguages) {
			p.Add(field, "is not a translation language (one of "+strings.Join(TranslationLanguages, ", ")+")")
			continue
		}
		v := in[lang]
		if v == nil {
			delete(out, lang)
			continue
		}
		if name := Text(field, *v, false, 200, false, p); name != "" {
			out[lang] = name
		} else {
			delete(out, lang)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func oneOfList(v string, list []string) bool {
	for _, l := range list {
		if v == l {
			return true
		}
	}
	return false
}

// Localized returns the fund with name, description and organization in lang,
// each falling back to the base field; translations stay complete.
func (f Fund) Localized(lang string) Fund {
	t, ok := f.Translations[lang]
	if !ok {
		return f
	}
	if t.Name != "" {
		f.Name = t.Name
	}
	if t.Description != "" {
		f.Description = t.Description
	}
	if t.Organization != "" {
		f.Organization = t.Organization
	}
	return f
}

// PublicNameIn is the donor's name as the public sees it in lang: the display
// name in that language, else the base name; an anonymous donor is named in
// the language.
func PublicNameIn(name string, displayNames map[string]string, anonymous bool, lang string) string {
	if anonymous {
		return AnonymousNameIn(lang)
	}
	if n := displayNames[lang]; n != "" {
		return n
	}
	return name
}

// NameIn is the donor's name in lang (staff and the donor's own statement:
// never masked).
func (d Donor) NameIn(lang string) string {
	if n := d.DisplayNames[lang]; n != "" {
		return n
	}
	return d.Name
}

// Isolate wraps text that would run in the other direction than the
// surrounding text (Latin in Arabic) in Unicode first-strong isolates
// (U+2068 … U+2069), so that its punctuation stays at its own ends. It is for
// plain-text outputs (charts, SVG, CSV); HTML uses <bdi>.
func Isolate(lang, s string) string {
	if !IsRTL(lang) || s == "" || !hasLatin(s) {
		return s
	}
	return "\u2068" + s + "\u2069"
}

func hasLatin(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Latin, r) {
			return true
		}
	}
	return false
}
