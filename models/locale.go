package models

import (
	"strconv"
	"strings"
)

// The figures and dates written in a language, shared by the e-mails
// (reminder_mail.go), the printable report and the server-rendered pages
// (frontend/format.go), so that a donor reads the same "1.000.000,00" and
// "31 غشت 2026" in a reminder as on the fund's page. Arabic is Morocco's
// (ar-MA, the browser's Intl locale of the console and public pages):
// Western digits, "." between thousands and "," before the decimals, and the
// Moroccan month names (ماي، يوليوز، غشت، شتنبر، نونبر، دجنبر).

// NumberSymbols are a language's separators.
type NumberSymbols struct{ Group, Decimal string }

var numberSymbols = map[string]NumberSymbols{
	"en": {",", "."},
	"fr": {"\u202f", ","},
	"ar": {".", ","}, // ar-MA: Western digits, as the region's press writes them
}

// SymbolsOf answers a language's separators (English's for an unknown one).
func SymbolsOf(lang string) NumberSymbols {
	if s, ok := numberSymbols[lang]; ok {
		return s
	}
	return numberSymbols["en"]
}

// GroupDigits writes a decimal string ("-1234567.50") with lang's
// separators, digit for digit (never through a float).
func GroupDigits(lang, s string) string {
	sym := SymbolsOf(lang)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(sym.Group)
		}
		b.WriteRune(r)
	}
	out := sign + b.String()
	if frac != "" {
		out += sym.Decimal + frac
	}
	return out
}

var monthNames = map[string][12]string{
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	// ar-MA (Intl's "ar-MA" long month names).
	"ar": {"يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو", "يوليوز", "غشت", "شتنبر", "أكتوبر", "نونبر", "دجنبر"},
}

// MonthName answers month m (1 to 12) in lang (English for an unknown
// language), "" for a month out of range.
func MonthName(lang string, m int) string {
	names, ok := monthNames[lang]
	if !ok {
		names = monthNames["en"]
	}
	if m < 1 || m > 12 {
		return ""
	}
	return names[m-1]
}

// LongDate writes a date in words in a language, day first: 31 March 2026,
// 31 mars 2026, 31 مارس 2026 (the e-mails' order in every language).
func LongDate(d Date, lang string) string {
	day, m, year, ok := dateParts(d)
	if !ok {
		return string(d)
	}
	return strconv.Itoa(day) + " " + MonthName(lang, m) + " " + year
}

// dateParts splits a YYYY-MM-DD date.
func dateParts(d Date) (day, month int, year string, ok bool) {
	if len(d) != len(DateLayout) {
		return 0, 0, "", false
	}
	m, err1 := strconv.Atoi(string(d[5:7]))
	day, err2 := strconv.Atoi(string(d[8:10]))
	if err1 != nil || err2 != nil || m < 1 || m > 12 {
		return 0, 0, "", false
	}
	return day, m, string(d[:4]), true
}
