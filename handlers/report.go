package handlers

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
	"github.com/shopspring/decimal"
)

// The printable fund report (issue 13): an HTML page rendered on the server
// for A4 printing or "Save as PDF", with no script. Its stylesheet is a
// static file (the CSP allows no inline style); its chart is SVG drawn here.

//go:embed templates/report.html
var reportFS embed.FS

var reportTemplate = template.Must(template.New("report.html").Funcs(template.FuncMap{
	"join": strings.Join,
}).ParseFS(reportFS, "templates/report.html"))

// ReportCSS is the URL of the report's stylesheet; the api package sets it
// from the frontend's fingerprinted assets.
var ReportCSS = "/static/css/report.css"

type reportFigure struct{ Label, Value, Note string }

type reportLine struct {
	Name   string
	Count  int
	Amount string // original currency (by currency only)
	USD    string
	cents  int64
}

type reportOutstanding struct {
	Donor, Stage, PledgedOn, DueOn, Currency, Outstanding, OutstandingUSD string
	Overdue                                                               bool
	Bucket                                                                string // the ageing bucket of DueOn, when overdue
}

type reportPage struct {
	Lang, Dir, CSS, Title             string
	Fund                              models.Fund
	From, To, AsOf, Generated         string
	Headline                          []reportFigure
	ByDonor, ByCurrency, ByEarmarking []reportLine
	PeriodTotal, PeriodCount          string
	Outstanding                       []reportOutstanding
	OutstandingTotal                  string
	Chart                             template.HTML
	t                                 func(string) string
}

// T translates a key of the report.
func (p reportPage) T(key string) string { return p.t(key) }

// FundReport answers GET /funds/{code}/report?from=&to=&as_of=&lang= (staff).
func (h *Handler) FundReport(c *gin.Context) {
	q := newQuery(c)
	from, to, asOf := q.date("from"), q.date("to"), q.date("as_of")
	lang := langParam(q)
	today := models.Today()
	if asOf == "" {
		asOf = today
	}
	if to == "" {
		to = asOf
	}
	if from != "" && to < from {
		q.p.Add("to", "must be on or after from")
	}
	if to > asOf {
		q.p.Add("to", "must be on or before as_of (the books are read as they stood that day)")
	}
	if err := q.err(); err != nil {
		Error(c, err)
		return
	}
	ctx := c.Request.Context()
	fund, err := h.reporting.Fund(ctx, c.Param("code"))
	if err != nil {
		Error(c, err)
		return
	}
	if from == "" {
		from = fund.OpensOn
	}
	progress, err := h.reporting.Progress(ctx, c.Param("code"), asOf)
	if err != nil {
		Error(c, err)
		return
	}
	// The books as they stood at the end of as_of: pledges, then contributions.
	var pledges []models.LedgerRecord
	var contributions []models.LedgerRecord
	err = h.reporting.EachLiveRecord(ctx, models.RecordFilter{FundID: fund.ID, AsOf: asOf}, func(r models.LedgerRecord) error {
		if r.Kind == models.RecordPledge {
			pledges = append(pledges, r)
		} else {
			contributions = append(contributions, r)
		}
		return nil
	})
	if err != nil {
		Error(c, err)
		return
	}
	// Names in the report's language (issue 15): the fund's translation, each
	// donor's display name, an anonymous donor as the language says it.
	donors, err := h.reporting.FundDonors(ctx, fund.ID, asOf)
	if err != nil {
		Error(c, err)
		return
	}
	displayNames := make(map[int64]map[string]string, len(donors))
	for _, d := range donors {
		displayNames[d.ID] = d.DisplayNames
	}
	donorName := func(r models.LedgerRecord) string {
		return models.PublicNameIn(r.Donor.Name, displayNames[r.Donor.ID], r.Donor.Anonymous, lang)
	}
	fund = fund.Localized(lang)
	tr := func(key string) string { return translate(lang, key) }
	page := reportPage{Lang: lang, Dir: "ltr", CSS: ReportCSS, Fund: fund, From: string(from), To: string(to), AsOf: string(asOf),
		Generated: time.Now().UTC().Format("2006-01-02 15:04 UTC"), t: tr}
	if lang == "ar" {
		page.Dir = "rtl"
	}
	page.Title = tr("report.title") + " · " + fund.Name
	num := func(m models.Money) string { return formatNumber(m.Amount, m.Places, lang) }
	usd := func(cents int64) string { return formatNumber(decimal.New(cents, -2), 2, lang) }
	page.Headline = []reportFigure{
		{tr("report.target"), num(progress.Target), ""},
		{tr("report.paid"), num(progress.Paid), progress.PercentPaid + " %"},
		{tr("report.outstanding"), num(progress.OutstandingPledges), ""},
		{tr("report.pledged"), num(progress.Pledged), progress.PercentPledged + " %"},
		{tr("report.donors"), fmt.Sprint(progress.DonorCount), ""},
		{tr("report.contributions"), fmt.Sprint(progress.ContributionCount), ""},
	}

	// Money received in the period, by donor, currency and earmarking.
	byDonor, byCurrency, byEarmark := map[string]*reportLine{}, map[string]*reportLine{}, map[string]*reportLine{}
	currencyAmount := map[string]decimal.Decimal{}
	var periodCents int64
	var periodCount int
	for _, r := range contributions {
		if (from != "" && r.Date < from) || r.Date > to {
			continue
		}
		periodCents += r.AmountUSDCents
		periodCount++
		add(byDonor, donorName(r), r.AmountUSDCents)
		add(byCurrency, r.Currency, r.AmountUSDCents)
		add(byEarmark, tr("report.earmarking."+r.Earmarking), r.AmountUSDCents)
		currencyAmount[r.Currency] = currencyAmount[r.Currency].Add(r.Amount.Amount)
	}
	page.PeriodTotal, page.PeriodCount = usd(periodCents), fmt.Sprint(periodCount)
	page.ByDonor = lines(byDonor, usd, nil)
	page.ByCurrency = lines(byCurrency, usd, func(l *reportLine) {
		l.Amount = formatNumber(currencyAmount[l.Name], models.MinorUnits(l.Name), lang)
	})
	page.ByEarmarking = lines(byEarmark, usd, nil)

	// Pledges with something outstanding as of the day (payments made after
	// it not counted, write-offs made by it counted), from the fund's ageing
	// on that day (issue 11): the due date shown is the pledge's earliest
	// instalment still open, its ageing bucket beside it when overdue; the
	// total is progress's outstanding_pledges to the cent.
	ageing, err := h.ageing.FundAgeing(ctx, c.Param("code"), asOf)
	if err != nil {
		Error(c, err)
		return
	}
	type pledgeAgeing struct {
		first models.AgeingItem // the most overdue open instalment: items come most overdue first
		out   decimal.Decimal
		cents int64
	}
	byPledge := map[int64]*pledgeAgeing{}
	var outCents int64
	for _, it := range ageing.Items {
		pa := byPledge[it.PledgeID]
		if pa == nil {
			pa = &pledgeAgeing{first: it}
			byPledge[it.PledgeID] = pa
		}
		pa.out = pa.out.Add(it.Outstanding.Amount)
		cents := models.ToMinor(it.OutstandingUSD.Amount, 2)
		pa.cents += cents
		outCents += cents
	}
	for _, p := range pledges {
		pa := byPledge[p.ID]
		if pa == nil {
			continue
		}
		o := reportOutstanding{Donor: donorName(p), Stage: tr("report.stage." + p.Stage), PledgedOn: string(p.Date),
			DueOn: string(pa.first.DueOn), Currency: p.Currency, Outstanding: formatNumber(pa.out, p.Amount.Places, lang),
			OutstandingUSD: usd(pa.cents), Overdue: pa.first.DaysOverdue > 0}
		if o.Overdue {
			o.Bucket = tr("summary.group." + pa.first.Bucket)
		}
		page.Outstanding = append(page.Outstanding, o)
	}
	page.OutstandingTotal = usd(outCents)
	page.Chart = cumulativeChart(contributions, fund.TargetUSD, progress, asOf, lang, tr)

	var buf bytes.Buffer
	if err := reportTemplate.Execute(&buf, page); err != nil {
		Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
}

func add(m map[string]*reportLine, name string, cents int64) {
	l := m[name]
	if l == nil {
		l = &reportLine{Name: name}
		m[name] = l
	}
	l.Count++
	l.cents += cents
}

// lines sorts the lines by USD, largest first, then by name.
func lines(m map[string]*reportLine, usd func(int64) string, fill func(*reportLine)) []reportLine {
	out := make([]reportLine, 0, len(m))
	for _, l := range m {
		l.USD = usd(l.cents)
		if fill != nil {
			fill(l)
		}
		out = append(out, *l)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].cents != out[j].cents {
			return out[i].cents > out[j].cents
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// formatNumber writes an amount with the language's separators (models.FormatAmount).
func formatNumber(d decimal.Decimal, places int32, lang string) string {
	return models.FormatAmount(d, places, lang)
}

// cumulativeChart draws the cumulative money received (live as of the day)
// against the target, month by month, as an SVG: printed without a script.
func cumulativeChart(contributions []models.LedgerRecord, target models.Money, p models.Progress, asOf models.Date, lang string, tr func(string) string) template.HTML {
	const w, h, left, right, top, bottom = 640.0, 260.0, 70.0, 20.0, 20.0, 40.0
	months := map[string]int64{}
	first := ""
	for _, r := range contributions {
		m := string(r.Date)[:7]
		months[m] += r.AmountUSDCents
		if first == "" || m < first {
			first = m
		}
	}
	last := string(asOf)[:7]
	if first == "" || first > last {
		first = last
	}
	var keys []string
	for m := first; m <= last; m = nextMonth(m) {
		keys = append(keys, m)
	}
	var cum int64
	points := make([]int64, len(keys))
	for i, k := range keys {
		cum += months[k]
		points[i] = cum
	}
	targetCents := models.ToMinor(target.Amount, 2)
	pledgedCents := models.ToMinor(p.Pledged.Amount, 2)
	maxV := max(targetCents, pledgedCents, cum, 1)
	x := func(i int) float64 {
		if len(keys) == 1 {
			return left + (w-left-right)/2
		}
		return left + float64(i)*(w-left-right)/float64(len(keys)-1)
	}
	y := func(v int64) float64 { return top + (h-top-bottom)*(1-float64(v)/float64(maxV)) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="chart-title" class="chart" direction="ltr">`, w, h)
	fmt.Fprintf(&b, `<title id="chart-title">%s</title>`, template.HTMLEscapeString(tr("report.chart")))
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#1d2a33" stroke-width="1"/>`, left, h-bottom, w-right, h-bottom)
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#1d2a33" stroke-width="1"/>`, left, top, left, h-bottom)
	for _, v := range []int64{0, maxV / 2, maxV} {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" text-anchor="end" fill="#4f5f6b">%s</text>`, left-6, y(v)+3,
			template.HTMLEscapeString(shortUSD(v)))
	}
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#7a2e8e" stroke-width="1.5" stroke-dasharray="6 4"/>`, left, y(targetCents), w-right, y(targetCents))
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" text-anchor="end" fill="#7a2e8e">%s</text>`, w-right, y(targetCents)-4, template.HTMLEscapeString(tr("report.target")))
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e3a21a" stroke-width="1.5" stroke-dasharray="2 3"/>`, left, y(pledgedCents), w-right, y(pledgedCents))
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" fill="#9a6a00">%s</text>`, left+4, y(pledgedCents)-4, template.HTMLEscapeString(tr("report.pledged")))
	var path strings.Builder
	for i, v := range points {
		cmd := "L"
		if i == 0 {
			cmd = "M"
		}
		fmt.Fprintf(&path, "%s%.1f %.1f ", cmd, x(i), y(v))
	}
	fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="#0b7a5a" stroke-width="2.5"/>`, strings.TrimSpace(path.String()))
	for i, v := range points {
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="2.5" fill="#0b7a5a"><title>%s: %s</title></circle>`, x(i), y(v), keys[i],
			template.HTMLEscapeString(formatNumber(decimal.New(v, -2), 2, lang)))
	}
	step := max(1, len(keys)/8)
	for i := 0; i < len(keys); i += step {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" text-anchor="middle" fill="#4f5f6b">%s</text>`, x(i), h-bottom+16, keys[i])
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" fill="#0b7a5a">%s</text>`, left+4, h-8, template.HTMLEscapeString(tr("report.paid_cumulative")))
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text in it is escaped above
}

func nextMonth(m string) string {
	t, _ := time.Parse("2006-01", m)
	return t.AddDate(0, 1, 0).Format("2006-01")
}

// shortUSD writes cents as a short USD figure for an axis: 1.5M, 250k. It is
// a chart label only (rounded on purpose); every amount the report states is
// written from decimals. The SVG's coordinates are floats for the same reason.
func shortUSD(cents int64) string {
	v := float64(cents) / 100
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.1fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.0fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}
