package handlers

import (
	"context"
	"sort"
	"strconv"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
	"github.com/shopspring/decimal"
)

// Exports (issues 3 and 13): every export is one list of columns and one
// stream of typed rows, written either as CSV or as an Excel workbook (see
// xlsx.go), so that both carry the same filters, columns and rows.

// ExportStore streams what the exports are made of.
type ExportStore interface {
	ExportContributions(ctx context.Context, f models.ContributionFilter, voided string, fn func(models.Contribution) error) error
	ExportPledges(ctx context.Context, f models.PledgeFilter, voided string, fn func(p models.Pledge, paidUSD models.Money) error) error
	DonorSharesWithIDs(ctx context.Context, idOrCode string) ([]models.DonorShareWithID, error)
	Fund(ctx context.Context, idOrCode string) (models.Fund, error)
}

// Typed cells: CSV writes them as text, the workbook as numbers, dates and
// booleans. A plain string is text (neutralised in CSV, a string cell in Excel).
type (
	percentCell string // a decimal percentage such as "12.34"
	idCell      *int64 // an optional id
)

// exportTable is an export being written: its rows and what it sums.
type exportTable struct {
	sheet   string // key of the rows sheet's name
	columns []string
	totals  *totals
	filters [][2]string // the filters used, as given
}

// totals sums an export per group (live, voided) and currency, for the
// Summary sheet: sums[i] is the column sumCols[i]; usd[i] says it is in USD.
type totals struct {
	groups  []string
	sumCols []string
	usd     []bool
	by      map[string]map[string]*groupTotal
}

type groupTotal struct {
	count int64
	sums  []decimal.Decimal
}

func newTotals(groups []string, sumCols []string, usd []bool) *totals {
	return &totals{groups: groups, sumCols: sumCols, usd: usd, by: map[string]map[string]*groupTotal{}}
}

func (t *totals) add(group, currency string, values ...decimal.Decimal) {
	g := t.by[group]
	if g == nil {
		g = map[string]*groupTotal{}
		t.by[group] = g
	}
	gt := g[currency]
	if gt == nil {
		gt = &groupTotal{sums: make([]decimal.Decimal, len(values))}
		g[currency] = gt
	}
	gt.count++
	for i, v := range values {
		gt.sums[i] = gt.sums[i].Add(v)
	}
}

// currencies lists a group's currencies in order.
func (t *totals) currencies(group string) []string {
	var out []string
	for c := range t.by[group] {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// usdTotal sums a group's USD columns over every currency.
func (t *totals) usdTotal(group string) (int64, []decimal.Decimal) {
	var n int64
	sums := make([]decimal.Decimal, len(t.sumCols))
	for _, gt := range t.by[group] {
		n += gt.count
		for i, v := range gt.sums {
			if t.usd[i] {
				sums[i] = sums[i].Add(v)
			}
		}
	}
	return n, sums
}

// exportFormat is how an export is answered: CSV or XLSX.
type exportFormat func(c *gin.Context, name string, t *exportTable, each func(write func([]any) error) error)

func voidedParam(q *query) string {
	return q.oneOf("voided", models.VoidedInclude, models.VoidedChoices)
}

func filtersOf(c *gin.Context, names ...string) [][2]string {
	var out [][2]string
	for _, n := range names {
		if v := c.Query(n); v != "" {
			out = append(out, [2]string{n, v})
		}
	}
	return out
}

var contributionColumns = []string{"id", "fund_code", "donor_id", "donor_name", "donor_country", "pledge_id", "received_on",
	"amount", "currency", "exchange_rate", "amount_usd", "earmarking", "reference", "notes", "voided", "void_reason",
	"voided_at", "created_at", "created_by",
	// Last so that the columns before keep their places: a re-import into
	// another ledger finds the pledge by its reference (ids are this ledger's).
	"pledge_reference"}

// ExportContributions answers GET /exports/contributions.csv?fund_id=&donor_id=&pledge_id=&from=&to=&q=&earmarking=&currency=&voided=.
func (h *Handler) ExportContributions(c *gin.Context) { h.exportContributions(c, h.csvFormat) }

// ExportContributionsXLSX answers GET /exports/contributions.xlsx (same filters, and lang=).
func (h *Handler) ExportContributionsXLSX(c *gin.Context) { h.exportContributions(c, xlsxFormat) }

func (h *Handler) exportContributions(c *gin.Context, format exportFormat) {
	q := newQuery(c)
	f := contributionFilter(q)
	voided := voidedParam(q)
	lang := langParam(q)
	q.bom() // validated here, read by csvFormat
	release, ok := h.startExport(c, q)
	if !ok {
		return
	}
	defer release()
	c.Set(langKey, lang)
	t := &exportTable{sheet: "contributions", columns: contributionColumns,
		totals:  newTotals([]string{"live", "voided"}, []string{"amount", "amount_usd"}, []bool{false, true}),
		filters: filtersOf(c, "fund_id", "donor_id", "pledge_id", "from", "to", "q", "earmarking", "currency", "voided")}
	format(c, "contributions", t, func(write func([]any) error) error {
		return h.reporting.ExportContributions(c.Request.Context(), f, voided, func(ct models.Contribution) error {
			group := "live"
			if ct.Voided {
				group = "voided"
			}
			t.totals.add(group, ct.Currency, ct.Amount.Amount, ct.AmountUSD.Amount)
			return write([]any{ct.ID, ct.FundCode, ct.DonorID, ct.DonorName, ct.DonorCountry, idCell(ct.PledgeID), ct.ReceivedOn,
				ct.Amount, ct.Currency, ct.ExchangeRate, ct.AmountUSD, ct.Earmarking, ct.Reference, ct.Notes, ct.Voided,
				ct.VoidReason, ct.VoidedAt, ct.CreatedAt, ct.CreatedBy, ct.PledgeReference})
		})
	})
}

var pledgeColumns = []string{"id", "fund_code", "donor_id", "donor_name", "stage", "pledged_on", "due_on", "amount", "currency",
	"exchange_rate", "amount_usd", "paid", "paid_usd", "outstanding", "outstanding_usd", "status", "earmarking", "reference", "notes",
	"cancel_reason", "cancelled_at", "created_at", "created_by",
	// Issue 11, last so that the columns before keep their places.
	"written_off", "written_off_usd", "next_due_on"}

// ExportPledges answers GET /exports/pledges.csv?fund_id=&donor_id=&status=&stage=&q=&earmarking=&currency=&from=&to=&voided=.
func (h *Handler) ExportPledges(c *gin.Context) { h.exportPledges(c, h.csvFormat) }

// ExportPledgesXLSX answers GET /exports/pledges.xlsx (same filters, and lang=).
func (h *Handler) ExportPledgesXLSX(c *gin.Context) { h.exportPledges(c, xlsxFormat) }

func (h *Handler) exportPledges(c *gin.Context, format exportFormat) {
	q := newQuery(c)
	f := pledgeFilter(q)
	voided := voidedParam(q)
	lang := langParam(q)
	q.bom() // validated here, read by csvFormat
	release, ok := h.startExport(c, q)
	if !ok {
		return
	}
	defer release()
	c.Set(langKey, lang)
	t := &exportTable{sheet: "pledges", columns: pledgeColumns,
		totals: newTotals([]string{"live", "cancelled"}, []string{"amount", "amount_usd", "paid", "paid_usd", "outstanding", "outstanding_usd",
			"written_off", "written_off_usd"}, []bool{false, true, false, true, false, true, false, true}),
		filters: filtersOf(c, "fund_id", "donor_id", "status", "stage", "q", "earmarking", "currency", "from", "to", "voided")}
	format(c, "pledges", t, func(write func([]any) error) error {
		return h.reporting.ExportPledges(c.Request.Context(), f, voided, func(p models.Pledge, paidUSD models.Money) error {
			group := "live"
			if p.Cancelled {
				group = "cancelled"
			}
			t.totals.add(group, p.Currency, p.Amount.Amount, p.AmountUSD.Amount, p.Paid.Amount, paidUSD.Amount,
				p.Outstanding.Amount, p.OutstandingUSD.Amount, p.WrittenOff.Amount, p.WrittenOffUSD.Amount)
			return write([]any{p.ID, p.FundCode, p.DonorID, p.DonorName, p.Stage, p.PledgedOn, p.DueOn, p.Amount, p.Currency,
				p.ExchangeRate, p.AmountUSD, p.Paid, paidUSD, p.Outstanding, p.OutstandingUSD, p.Status, p.Earmarking,
				p.Reference, p.Notes, p.CancelReason, p.CancelledAt, p.CreatedAt, p.CreatedBy, p.WrittenOff, p.WrittenOffUSD, p.NextDueOn})
		})
	})
}

// donor_id comes last: the public file keeps the columns it always had in their places.
var donorColumns = []string{"name", "kind", "country_code", "paid", "outstanding", "pledged", "share_of_paid_percent", "donor_id"}

// DonorBreakdownCSV answers GET /funds/{id-or-code}/donors.csv: every donor.
func (h *Handler) DonorBreakdownCSV(c *gin.Context) { h.exportDonors(c, h.csvFormat) }

// DonorBreakdownXLSX answers GET /funds/{id-or-code}/donors.xlsx.
func (h *Handler) DonorBreakdownXLSX(c *gin.Context) { h.exportDonors(c, xlsxFormat) }

// exportDonors writes the public donor breakdown: anonymous donors are masked,
// their id included. The breakdown sums live records only, so ?voided=
// include and exclude give the same file, and only gives no donor.
func (h *Handler) exportDonors(c *gin.Context, format exportFormat) {
	q := newQuery(c)
	voided := voidedParam(q)
	lang := Lang(c) // names and, in the workbook, headers: ?lang= (any tag), then Accept-Language (issue 15)
	q.bom()         // validated here, read by csvFormat
	if err := q.err(); err != nil {
		Error(c, err)
		return
	}
	c.Set(langKey, lang)
	shares, err := h.reporting.DonorSharesWithIDs(c.Request.Context(), c.Param("fund"))
	if err != nil {
		Error(c, err)
		return
	}
	if voided == models.VoidedOnly {
		shares = nil
	}
	t := &exportTable{sheet: "donors", columns: donorColumns,
		totals:  newTotals([]string{"live"}, []string{"paid", "outstanding", "pledged"}, []bool{true, true, true}),
		filters: append([][2]string{{"fund", c.Param("fund")}}, filtersOf(c, "voided")...)}
	format(c, c.Param("fund")+"-donors", t, func(write func([]any) error) error {
		for _, d := range shares {
			d.DonorShare = d.DonorShare.In(lang) // named in the answer's language, as in GET .../donors
			t.totals.add("live", models.ReportingCurrency, d.Paid.Amount, d.Outstanding.Amount, d.Pledged.Amount)
			var id any = d.DonorID
			if d.Anonymous {
				id = "" // an id would link the masked donor's records
			}
			if err := write([]any{d.Name, deref(d.Kind), d.CountryCode, d.Paid, d.Outstanding, d.Pledged,
				percentCell(d.SharePaidPercent), id}); err != nil {
				return err
			}
		}
		return nil
	})
}

// csvFormat writes an export as CSV: text neutralised, numbers and dates as
// the JSON answers write them.
func (h *Handler) csvFormat(c *gin.Context, name string, t *exportTable, each func(write func([]any) error) error) {
	h.streamCSV(c, name+".csv", c.Query("bom") == "1", t.columns, func(write func([]string) error) error {
		rec := make([]string, len(t.columns))
		return each(func(cells []any) error {
			for i, v := range cells {
				rec[i] = csvText(v)
			}
			return write(rec)
		})
	})
}

func csvText(v any) string {
	switch v := v.(type) {
	case string:
		return Cell(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case idCell:
		if v == nil {
			return ""
		}
		return strconv.FormatInt(*v, 10)
	case models.Money:
		return v.String()
	case models.Rate:
		return v.String()
	case models.Date:
		return string(v)
	case time.Time:
		return v.UTC().Format(time.RFC3339)
	case *time.Time:
		return timestamp(v)
	case bool:
		return strconv.FormatBool(v)
	case percentCell:
		return string(v)
	}
	return ""
}

func timestamp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// ReportingStore is what the reports of issue 13 read: exports, IATI, FTS and
// the printed fund report.
type ReportingStore interface {
	ExportStore
	PublishStore
}
