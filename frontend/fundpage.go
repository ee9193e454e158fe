package frontend

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"github.com/shopspring/decimal"
)

// Issue 15: the fund page with its headline figures rendered on the server, in
// the page's language, so that nothing moves when the scripts arrive.

// FundData is what the fund page shows before any script runs.
type FundData struct {
	Fund                    models.Fund
	Progress                models.Progress
	PaidWidth, PledgedWidth string // out of 1000, for the bar's drawing
}

// ServeFund answers GET /funds/{code} with the fund's page, rendered with f
// and p in the language chosen as for every page (?lang=, cookie,
// Accept-Language); with f nil, the page says there is no such fund (404).
func ServeFund(w http.ResponseWriter, r *http.Request, f *models.Fund, p *models.Progress) {
	lang, fromQuery := chooseLanguage(r)
	if fromQuery {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/",
			MaxAge: int((365 * 24 * time.Hour).Seconds()), SameSite: http.SameSiteLaxMode})
	}
	dict, _ := Dictionary(lang)
	data := pageData{Lang: lang, Dir: "ltr", Languages: Languages, Description: dict["common.description"]}
	if rtl[lang] {
		data.Dir = "rtl"
	}
	status := http.StatusNotFound
	if f != nil && p != nil {
		status = http.StatusOK
		lf, lp := f.Localized(lang), *p
		lp.FirstContribution = lp.FirstContribution.In(lang)
		data.Fund = &FundData{Fund: lf, Progress: lp, PaidWidth: width(lp.PercentPaid), PledgedWidth: width(lp.PercentPledged)}
		data.Description = strings.NewReplacer("{name}", lf.Name, "{paid}", FormatUSD(lang, lp.Paid), "{target}", FormatUSD(lang, lp.Target),
			"{percent}", FormatPercent(lang, lp.PercentPaid), "{donors}", FormatDecimal(lang, decimal.NewFromInt(lp.DonorCount).String())).
			Replace(dict["fund.meta_description"])
	}
	var buf bytes.Buffer
	if err := built.tmpl[lang].ExecuteTemplate(&buf, "fund.html", data); err != nil {
		http.Error(w, "page error", http.StatusInternalServerError)
		return
	}
	sum := sha256.Sum256(buf.Bytes())
	res := newResource(buf.Bytes(), "text/html; charset=utf-8", hex.EncodeToString(sum[:8]))
	w.Header().Set("Content-Language", lang)
	if status != http.StatusOK {
		serveStatus(w, r, res, status)
		return
	}
	serve(w, r, res, pageCacheControl, "Accept-Encoding, Accept-Language, Cookie")
}

func serveStatus(w http.ResponseWriter, r *http.Request, a *resource, status int) {
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(a.body)
	}
}

// width is a percent as a width out of 1000 (the bar's drawing), capped at its end.
func width(pct string) string {
	d, err := decimal.NewFromString(pct)
	if err != nil || d.IsNegative() {
		return "0"
	}
	if d.GreaterThan(decimal.NewFromInt(100)) {
		d = decimal.NewFromInt(100)
	}
	return d.Mul(decimal.NewFromInt(10)).StringFixed(1)
}
