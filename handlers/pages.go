package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/fundtracker/fundtracker/frontend"
	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
	"github.com/shopspring/decimal"
)

// Issue 15: pages rendered with data — the donor's statement, the receipt,
// the embeddable widget and badge, and the fund page's headline figures.

// EmbedCacheControl is how long embeds and badges may be cached.
const EmbedCacheControl = "public, max-age=300"

// EmbedOrigins parses FUNDTRACKER_EMBED_ORIGINS (a CSP source list: origins
// separated by spaces), the sites allowed to frame /embed/funds/{code}; "*"
// when unset. The keywords 'self' and 'none' are kept; any other token that is
// not a plain source (quotes, ';', ',', controls) is dropped, so that the value
// cannot add a directive to the policy. A value set but left with no source
// gives 'none': a mistyped setting never widens framing to every site.
func EmbedOrigins(v string) string {
	var ok []string
	for _, f := range strings.Fields(v) {
		if f == "'self'" || f == "'none'" {
			ok = append(ok, f)
			continue
		}
		if strings.ContainsAny(f, ";,'\"") || !utf8.ValidString(f) || strings.ContainsFunc(f, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
			slog.Warn("FUNDTRACKER_EMBED_ORIGINS: source dropped", "source", f)
			continue
		}
		ok = append(ok, f)
	}
	if len(ok) == 0 {
		if strings.TrimSpace(v) != "" {
			return "'none'"
		}
		return "*"
	}
	return strings.Join(ok, " ")
}

// embedOrigins frame the embed unless SetEmbedOrigins says otherwise
// (serve: FUNDTRACKER_EMBED_ORIGINS, checked in config.go).
const embedOrigins = "*"

// SetEmbedOrigins sets the origins allowed to frame the embed (tests, config).
func (h *Handler) SetEmbedOrigins(v string) { h.embedOrigins = EmbedOrigins(v) }

func (h *Handler) frameAncestors() string {
	if h.embedOrigins != "" {
		return h.embedOrigins
	}
	return embedOrigins
}

// cacheable answers a public body with an ETag and Cache-Control, 304 when
// the client has it.
func cacheable(c *gin.Context, ctype string, body []byte) {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	c.Header("ETag", etag)
	c.Header("Cache-Control", EmbedCacheControl)
	if match := c.GetHeader("If-None-Match"); match != "" && (match == etag || match == "W/"+etag || match == "*") {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, ctype, body)
}

// Embed answers GET /embed/funds/{code}?lang=: the only page that may be
// framed, by the origins of FUNDTRACKER_EMBED_ORIGINS. It sets no cookie,
// makes no other request (its style is inline, allowed by hash) and is cached
// five minutes.
func (h *Handler) Embed(c *gin.Context) {
	lang := Lang(c)
	f, p, ok := h.fundProgress(c, c.Param("code"), lang)
	if !ok {
		return
	}
	paidW, pledgedW := barWidth(p.PercentPaid), barWidth(p.PercentPledged)
	summary := fmt.Sprintf("%s: %s %s (%s), %s %s (%s), %s %s", f.Name,
		frontend.T(lang, "fund.paid"), frontend.FormatUSD(lang, p.Paid), frontend.FormatPercent(lang, p.PercentPaid),
		frontend.T(lang, "fund.pledged"), frontend.FormatUSD(lang, p.Pledged), frontend.FormatPercent(lang, p.PercentPledged),
		frontend.T(lang, "fund.target"), frontend.FormatUSD(lang, p.Target))
	data := map[string]any{"Fund": f, "Progress": p, "CSS": frontend.EmbedCSS, "PaidWidth": paidW, "PledgedWidth": pledgedW,
		"Summary": summary, "DashboardURL": "/funds/" + url.PathEscape(f.Code) + "?lang=" + lang}
	body, err := frontend.Render("embed.html", lang, data, summary)
	if err != nil {
		Error(c, err)
		return
	}
	hd := c.Writer.Header()
	hd.Del("X-Frame-Options")
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src "+frontend.EmbedStyleHash+"; img-src 'self' data:; connect-src 'self'; "+
		"base-uri 'none'; form-action 'none'; frame-ancestors "+h.frameAncestors())
	cacheable(c, "text/html; charset=utf-8", body)
}

// fundProgress reads a fund, in lang, and its progress today for the embed
// and the badge; ok false when it has answered the error.
func (h *Handler) fundProgress(c *gin.Context, code, lang string) (models.Fund, models.Progress, bool) {
	ctx := c.Request.Context()
	f, err := h.funds.Fund(ctx, code)
	if err != nil {
		Error(c, err)
		return f, models.Progress{}, false
	}
	p, err := h.reports.Progress(ctx, f.Code, "")
	if err != nil {
		Error(c, err)
		return f, p, false
	}
	return f.Localized(lang), p, true
}

// barWidth is a percent as a width out of 1000 (capped at the bar's end).
func barWidth(pct string) string {
	d, err := decimal.NewFromString(pct)
	if err != nil || d.IsNegative() {
		return "0"
	}
	if d.GreaterThan(decimal.NewFromInt(100)) {
		d = decimal.NewFromInt(100)
	}
	return d.Mul(decimal.NewFromInt(10)).StringFixed(1)
}

// Badge answers GET /badge/funds/{code}.svg?lang=: an SVG badge of the
// percent paid, right to left in Arabic.
func (h *Handler) Badge(c *gin.Context) {
	code, ok := strings.CutSuffix(c.Param("file"), ".svg")
	if !ok {
		Error(c, models.Errorf(models.ENOTFOUND, "No badge %q: badges end in .svg.", c.Param("file")))
		return
	}
	lang := Lang(c)
	f, p, ok := h.fundProgress(c, code, lang)
	if !ok {
		return
	}
	value := strings.ReplaceAll(frontend.T(lang, "badge.paid"), "{percent}", frontend.FormatPercent(lang, p.PercentPaid))
	cacheable(c, "image/svg+xml", badgeSVG(lang, f.Name, value))
}

// badgeSVG draws a two-part badge, label then value (mirrored in a
// right-to-left language). Text widths are estimated per character: the
// badge is an image with its text also given to assistive technology.
func badgeSVG(lang, label, value string) []byte {
	if utf8.RuneCountInString(label) > 48 {
		label = string([]rune(label)[:47]) + "…"
	}
	width := func(s string) int { return 7*utf8.RuneCountInString(s) + 14 }
	lw, vw := width(label), width(value)
	rtl := models.IsRTL(lang)
	lx, vx := 0, lw
	if rtl {
		vx, lx = 0, vw
	}
	dir := "ltr"
	if rtl {
		dir = "rtl"
	}
	e := html.EscapeString
	title := e(label + ": " + value)
	return []byte(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="20" viewBox="0 0 %d 20" role="img" aria-label="%s" direction="%s" xml:lang="%s">`+
		`<title>%s</title>`+
		`<rect x="%d" width="%d" height="20" fill="#0b5c73"/><rect x="%d" width="%d" height="20" fill="#0b7a5a"/>`+
		`<g fill="#fff" font-family="Verdana,DejaVu Sans,Noto Sans,Noto Sans Arabic,sans-serif" font-size="11" text-anchor="middle">`+
		`<text x="%d" y="14" direction="%s" unicode-bidi="embed">%s</text><text x="%d" y="14" direction="%s" unicode-bidi="embed">%s</text></g></svg>`+"\n",
		lw+vw, lw+vw, title, dir, lang, title, lx, lw, vx, vw, lx+lw/2, dir, e(models.Isolate(lang, label)), vx+vw/2, dir, e(value)))
}

// DonorPage answers GET /donor/{token}: the donor's statement as a printable
// page, in its language, with a language switch. Every failure of the token is
// the same 404 page.
func (h *Handler) DonorPage(c *gin.Context) {
	st, err := h.donorView(c)
	if err != nil {
		lang := Lang(c)
		msg := frontend.T(lang, "donor.not_found")
		switch models.ErrorCode(err) {
		case models.ERATELIMITED:
			msg = frontend.T(lang, "donor.throttled")
			var me *models.Error
			if errors.As(err, &me) && me.RetryAfter > 0 {
				c.Header("Retry-After", fmt.Sprint(me.RetryAfter))
			}
		case models.EINVALID:
			msg = models.ErrorMessage(err)
		case models.ENOTFOUND:
		default:
			Error(c, err)
			return
		}
		body, rerr := frontend.Render("donor-error.html", lang, msg, msg)
		if rerr != nil {
			Error(c, rerr)
			return
		}
		c.Data(StatusOf(models.ErrorCode(err)), "text/html; charset=utf-8", body)
		return
	}
	body, err := frontend.Render("donor.html", st.Lang, st, frontend.T(st.Lang, "donor.intro"))
	if err != nil {
		Error(c, err)
		return
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", body)
}

// Receipt answers GET /contributions/{id}/receipt?lang= (staff): a printable
// thank-you letter and receipt in the language (the donor's name in it).
func (h *Handler) Receipt(c *gin.Context) {
	id, err := pathID(c, "id", "contribution")
	if err != nil {
		Error(c, err)
		return
	}
	lang := Lang(c)
	ctx := c.Request.Context()
	ct, err := h.contributions.Contribution(ctx, id)
	if err != nil {
		Error(c, err)
		return
	}
	if ct.Voided { // money never received has no receipt, as it is not acknowledged
		Error(c, models.Errorf(models.ECONFLICT, "Contribution %d is voided: it has no receipt.", id))
		return
	}
	f, err := h.funds.Fund(ctx, fmt.Sprint(ct.FundID))
	if err != nil {
		Error(c, err)
		return
	}
	d, err := h.donors.Donor(ctx, ct.DonorID)
	if err != nil {
		Error(c, err)
		return
	}
	data := map[string]any{"Contribution": ct, "Fund": f.Localized(lang), "DonorName": d.NameIn(lang), "Today": models.Today()}
	body, err := frontend.Render("receipt.html", lang, data, frontend.T(lang, "receipt.heading"))
	if err != nil {
		Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/html; charset=utf-8", body)
}

// FundPage answers GET /funds/{code}: the dashboard with its headline figures
// rendered on the server (404 with the page when there is no such fund).
func (h *Handler) FundPage(c *gin.Context) {
	ctx := c.Request.Context()
	f, err := h.funds.Fund(ctx, c.Param("code"))
	if models.ErrorCode(err) == models.ENOTFOUND {
		frontend.NotFoundPage(c.Writer, c.Request)
		return
	} else if err != nil {
		Error(c, err)
		return
	}
	p, err := h.reports.Progress(ctx, f.Code, "")
	if err != nil {
		Error(c, err)
		return
	}
	frontend.ServeFund(c.Writer, c.Request, &f, &p)
}

// Robots answers GET /robots.txt: the public pages may be indexed; donors'
// statements, receipts and the console may not (issue 15).
func (h *Handler) Robots(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=86400")
	c.Data(http.StatusOK, "text/plain; charset=utf-8",
		[]byte("User-agent: *\nDisallow: /donor/\nDisallow: /contributions/\nDisallow: /staff\nDisallow: /api/v1/donor-view/\n"))
}
