package handlers

import (
	"context"
	"net/http"
	"strconv"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
)

// AgeingStore answers a fund's ageing list and cash forecast (issue 11, staff).
type AgeingStore interface {
	FundAgeing(ctx context.Context, idOrCode string, asOf models.Date) (models.Ageing, error)
	FundForecast(ctx context.Context, idOrCode string, from models.Month, months int) (models.Forecast, error)
}

// Ageing answers GET /funds/{id-or-code}/ageing?as_of= (staff): as_of is
// read as progress reads it (any real date; today by the server's clock when
// absent).
func (h *Handler) Ageing(c *gin.Context) {
	q := newQuery(c)
	asOf := q.date("as_of")
	if err := q.err(); err != nil {
		Error(c, err)
		return
	}
	a, err := h.ageing.FundAgeing(c.Request.Context(), c.Param("fund"), asOf)
	if err != nil {
		Error(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

var ageingColumns = []string{"pledge_id", "donor_id", "donor_name", "reference", "instalment_seq", "due_on", "days_overdue",
	"outstanding", "currency", "outstanding_usd", "bucket"}

// AgeingCSV answers GET /funds/{id-or-code}/ageing.csv?as_of=&bom= (staff): the items.
func (h *Handler) AgeingCSV(c *gin.Context) { h.exportAgeing(c, h.csvFormat) }

// AgeingXLSX answers GET /funds/{id-or-code}/ageing.xlsx?as_of=&lang= (staff):
// the items, and a Summary sheet with the totals per bucket and currency.
func (h *Handler) AgeingXLSX(c *gin.Context) { h.exportAgeing(c, xlsxFormat) }

// exportAgeing writes the ageing items as the other exports are written. The
// list is read whole first (it is one fund's open instalments): a read that
// fails answers an error, not a cut file.
func (h *Handler) exportAgeing(c *gin.Context, format exportFormat) {
	q := newQuery(c)
	asOf := q.date("as_of")
	lang := langParam(q)
	q.bom() // validated here, read by csvFormat
	release, ok := h.startExport(c, q)
	if !ok {
		return
	}
	defer release()
	a, err := h.ageing.FundAgeing(c.Request.Context(), c.Param("fund"), asOf)
	if err != nil {
		Error(c, err)
		return
	}
	c.Set(langKey, lang)
	t := &exportTable{sheet: "ageing", columns: ageingColumns,
		totals:  newTotals(models.AgeingBuckets, []string{"outstanding", "outstanding_usd"}, []bool{false, true}),
		filters: [][2]string{{"fund", c.Param("fund")}, {"as_of", string(a.AsOf)}}}
	format(c, c.Param("fund")+"-ageing-"+string(a.AsOf), t, func(write func([]any) error) error {
		for _, it := range a.Items {
			t.totals.add(it.Bucket, it.Currency, it.Outstanding.Amount, it.OutstandingUSD.Amount)
			if err := write([]any{it.PledgeID, it.DonorID, it.DonorName, it.Reference, int64(it.InstalmentSeq), it.DueOn,
				int64(it.DaysOverdue), it.Outstanding, it.Currency, it.OutstandingUSD, it.Bucket}); err != nil {
				return err
			}
		}
		return nil
	})
}

// Forecast answers GET /funds/{id-or-code}/forecast?from=YYYY-MM&months=N
// (staff; this month by the server's clock and 12 when absent; N from 1 to 60).
func (h *Handler) Forecast(c *gin.Context) {
	q := newQuery(c)
	var from models.Month
	if v := c.Query("from"); v != "" {
		m, ok := models.ParseMonth(v)
		if !ok {
			q.p.Add("from", "must be a month written YYYY-MM")
		}
		from = m
	}
	months := 12
	if v := c.Query("months"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > models.MaxForecastLen {
			q.p.Add("months", "must be a whole number from 1 to "+strconv.Itoa(models.MaxForecastLen))
		}
		months = n
	}
	if err := q.err(); err != nil {
		Error(c, err)
		return
	}
	f, err := h.ageing.FundForecast(c.Request.Context(), c.Param("fund"), from, months)
	if err != nil {
		Error(c, err)
		return
	}
	c.JSON(http.StatusOK, f)
}
