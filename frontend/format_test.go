package frontend

import (
	"strings"
	"testing"

	"github.com/fundtracker/fundtracker/models"
	"github.com/shopspring/decimal"
)

// The pages and the reminder e-mails write figures and dates alike in every
// language (one code, models/locale.go): a donor reads the same month names
// and separators (ar-MA's in Arabic) in a reminder as on the fund's page.
func TestPagesAndEmailsFormatAlike(t *testing.T) {
	for _, lang := range []string{"en", "fr", "ar"} {
		for _, amount := range []string{"1000000.00", "1234567.50", "0.05", "-1500.00"} {
			page := FormatDecimal(lang, amount)
			mail := models.FormatAmount(decimal.RequireFromString(amount), 2, lang)
			if page != mail {
				t.Errorf("%s %s: page %q, e-mail %q", lang, amount, page, mail)
			}
		}
		for m := 1; m <= 12; m++ {
			d := models.Date("2026-" + []string{"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"}[m-1] + "-15")
			if page, mail := FormatDate(lang, d), models.LongDate(d, lang); !strings.Contains(page, models.MonthName(lang, m)) ||
				!strings.Contains(mail, models.MonthName(lang, m)) {
				t.Errorf("%s month %d: page %q, e-mail %q", lang, m, page, mail)
			}
		}
	}
	if got := FormatDecimal("ar", "1000000.00"); got != "1.000.000,00" {
		t.Errorf("ar-MA: %q", got)
	}
	if got := FormatDate("ar", "2026-08-01"); got != "1 غشت 2026" {
		t.Errorf("ar-MA date: %q", got)
	}
}
