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

// The separators and month names are models' (models/locale.go), shared with
// the reminder e-mails and the printable report.

// FormatDecimal groups a decimal string's digits in lang.
func FormatDecimal(lang, s string) string { return models.GroupDigits(lang, s) }

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

// FormatDate writes a calendar date in full ("29 July 2025", "29 juillet 2025", "29 يوليوز 2025").
func FormatDate(lang string, d models.Date) string {
	s := string(d)
	if len(s) != 10 {
		return s
	}
	m := int(s[5]-'0')*10 + int(s[6]-'0')
	day := strings.TrimPrefix(s[8:], "0")
	name := models.MonthName(lang, m)
	if name == "" {
		return s
	}
	if lang == "en" {
		return name + " " + day + ", " + s[:4]
	}
	return day + " " + name + " " + s[:4]
}
