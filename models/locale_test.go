package models

import (
	"testing"

	"github.com/shopspring/decimal"
)

// The e-mails write Arabic as the console and the pages do (ar-MA): Moroccan
// month names and 1.000.000,00 (frontend/format_test.go checks the pages use
// these same functions).
func TestLocaleFormats(t *testing.T) {
	for _, c := range []struct{ lang, want string }{
		{"en", "1,234,567.50"}, {"fr", "1\u202f234\u202f567,50"}, {"ar", "1.234.567,50"}, {"xx", "1,234,567.50"},
	} {
		if got := FormatAmount(decimal.RequireFromString("1234567.5"), 2, c.lang); got != c.want {
			t.Errorf("FormatAmount in %s: %q, want %q", c.lang, got, c.want)
		}
	}
	if got := GroupDigits("ar", "-1000000"); got != "-1.000.000" {
		t.Errorf("GroupDigits: %q", got)
	}
	moroccan := map[int]string{5: "ماي", 7: "يوليوز", 8: "غشت", 9: "شتنبر", 11: "نونبر", 12: "دجنبر"}
	for m, want := range moroccan {
		if got := MonthName("ar", m); got != want {
			t.Errorf("Arabic month %d: %q, want %q (ar-MA)", m, got, want)
		}
	}
	for d, want := range map[Date]string{"2026-08-01": "1 غشت 2026", "2025-12-20": "20 دجنبر 2025"} {
		if got := LongDate(d, "ar"); got != want {
			t.Errorf("LongDate(%s, ar) = %q, want %q", d, got, want)
		}
	}
	if got := LongDate("2026-03-31", "fr"); got != "31 mars 2026" {
		t.Errorf("LongDate fr: %q", got)
	}
	if got := MonthName("ar", 13); got != "" {
		t.Errorf("month 13: %q", got)
	}
}
