package frontend

import (
	"strings"

	"github.com/fundtracker/fundtracker/models"
)

// Issue 15: figures rendered on the server, in the page's language.
//
// Hand-written rather than golang.org/x/text/number: amounts arrive as exact
// decimal strings and must be laid out digit for digit (never through a
// float), with the same symbols as the browser's Intl for en, fr and ar-MA.

type numberSymbols struct{ group, decimal string }

var symbols = map[string]numberSymbols{
	"en": {",", "."},
	"fr": {"\u202f", ","},
	"ar": {".", ","}, // ar-MA: Western digits, as the region's press writes them
}

// FormatDecimal groups a decimal string's digits in lang.
func FormatDecimal(lang, s string) string {
	sym, ok := symbols[lang]
	if !ok {
		sym = symbols["en"]
	}
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(sym.group)
		}
		b.WriteRune(r)
	}
	out := sign + b.String()
	if frac != "" {
		out += sym.decimal + frac
	}
	return out
}

// FormatMoney writes an amount with its currency as the pages do.
func FormatMoney(lang string, m models.Money, currency string) string {
	n := FormatDecimal(lang, m.String())
	switch lang {
	case "fr":
		return n + "\u00a0" + currency
	case "ar":
		return "\u2066" + n + "\u00a0" + currency + "\u2069"
	}
	return currency + "\u00a0" + n
}

// FormatUSD writes a USD amount.
func FormatUSD(lang string, m models.Money) string { return FormatMoney(lang, m, "USD") }

// FormatPercent writes a percent figure ("12.5" is 12.5 %).
func FormatPercent(lang, pct string) string {
	n := FormatDecimal(lang, pct)
	if lang == "fr" {
		return n + "\u202f%"
	}
	return n + "%"
}

var monthNames = map[string][]string{
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	"ar": {"يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو", "يوليوز", "غشت", "شتنبر", "أكتوبر", "نونبر", "دجنبر"},
}

// FormatDate writes a calendar date in full ("29 July 2025", "29 juillet 2025", "29 يوليوز 2025").
func FormatDate(lang string, d models.Date) string {
	s := string(d)
	if len(s) != 10 {
		return s
	}
	names, ok := monthNames[lang]
	if !ok {
		names = monthNames["en"]
	}
	m := int(s[5]-'0')*10 + int(s[6]-'0')
	day := strings.TrimPrefix(s[8:], "0")
	if m < 1 || m > 12 {
		return s
	}
	if lang == "en" {
		return names[m-1] + " " + day + ", " + s[:4]
	}
	return day + " " + names[m-1] + " " + s[:4]
}
