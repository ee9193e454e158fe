package handlers

import (
	"context"
	"strconv"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"github.com/fundtracker/fundtracker/store"
	"github.com/gin-gonic/gin"
)

// ReportStore answers the public figures of a fund and streams exports.
type ReportStore interface {
	Progress(ctx context.Context, idOrCode string, asOf models.Date) (models.Progress, error)
	DonorBreakdown(ctx context.Context, idOrCode string, pg models.PageRequest) (models.Page[models.DonorShare], error)
	Timeline(ctx context.Context, idOrCode, interval string) ([]models.TimelinePoint, error)
	EachContribution(ctx context.Context, f store.ContributionFilter, fn func(models.Contribution) error) error
	EachPledge(ctx context.Context, f store.PledgeFilter, fn func(models.Pledge) error) error
}

// Progress answers GET /funds/{id-or-code}/progress?as_of=.
func (h *Handler) Progress(c *gin.Context) {
	q := newQuery(c)
	asOf := q.date("as_of")
	if err := q.err(); err != nil {
		Error(c, err)
		return
	}
	p, err := h.reports.Progress(c.Request.Context(), c.Param("fund"), asOf)
	if err != nil {
		Error(c, err)
		return
	}
	p.FirstContribution = p.FirstContribution.In(Lang(c))
	publicJSON(c, p)
}

// DonorBreakdown answers GET /funds/{id-or-code}/donors.
func (h *Handler) DonorBreakdown(c *gin.Context) {
	q := newQuery(c)
	pg := q.page()
	if err := q.err(); err != nil {
		Error(c, err)
		return
	}
	page, err := h.reports.DonorBreakdown(c.Request.Context(), c.Param("fund"), pg)
	if err != nil {
		Error(c, err)
		return
	}
	lang := Lang(c)
	for i := range page.Items {
		page.Items[i] = page.Items[i].In(lang)
	}
	publicJSON(c, page)
}

var donorHeader = []string{"name", "kind", "country_code", "paid", "outstanding", "pledged", "share_of_paid_percent"}

// DonorBreakdownCSV answers GET /funds/{id-or-code}/donors.csv: every donor.
func (h *Handler) DonorBreakdownCSV(c *gin.Context) {
	page, err := h.reports.DonorBreakdown(c.Request.Context(), c.Param("fund"), models.PageRequest{})
	if err != nil {
		Error(c, err)
		return
	}
	lang := Lang(c)
	for i := range page.Items {
		page.Items[i] = page.Items[i].In(lang)
	}
	streamCSV(c, c.Param("fund")+"-donors.csv", donorHeader, func(write func([]string) error) error {
		for _, d := range page.Items {
			if err := write([]string{Cell(d.Name), d.Kind, d.CountryCode, d.Paid.String(), d.Outstanding.String(),
				d.Pledged.String(), d.SharePaidPercent}); err != nil {
				return err
			}
		}
		return nil
	})
}

// Timeline answers GET /funds/{id-or-code}/timeline?interval=day|month.
func (h *Handler) Timeline(c *gin.Context) {
	q := newQuery(c)
	interval := q.oneOf("interval", "month", []string{"day", "month"})
	if err := q.err(); err != nil {
		Error(c, err)
		return
	}
	points, err := h.reports.Timeline(c.Request.Context(), c.Param("fund"), interval)
	if err != nil {
		Error(c, err)
		return
	}
	publicJSON(c, gin.H{"interval": interval, "currency": models.ReportingCurrency, "items": points, "next": nil})
}

var contributionHeader = []string{"id", "fund_code", "donor_name", "donor_country", "pledge_id", "received_on", "amount",
	"currency", "exchange_rate", "amount_usd", "earmarking", "reference", "notes", "voided", "void_reason", "voided_at",
	"created_at", "created_by"}

// ExportContributions answers GET /exports/contributions.csv?fund_id=&from=&to=.
func (h *Handler) ExportContributions(c *gin.Context) {
	q := newQuery(c)
	f := contributionFilter(q)
	if err := q.err(); err != nil {
		Error(c, err)
		return
	}
	streamCSV(c, "contributions.csv", contributionHeader, func(write func([]string) error) error {
		return h.reports.EachContribution(c.Request.Context(), f, func(ct models.Contribution) error {
			pledge := ""
			if ct.PledgeID != nil {
				pledge = strconv.FormatInt(*ct.PledgeID, 10)
			}
			return write([]string{strconv.FormatInt(ct.ID, 10), ct.FundCode, Cell(ct.DonorName), ct.DonorCountry, pledge,
				string(ct.ReceivedOn), ct.Amount.String(), ct.Currency, ct.ExchangeRate.String(), ct.AmountUSD.String(),
				ct.Earmarking, Cell(ct.Reference), Cell(ct.Notes), strconv.FormatBool(ct.Voided), Cell(ct.VoidReason),
				timestamp(ct.VoidedAt), ct.CreatedAt.Format(time.RFC3339), Cell(ct.CreatedBy)})
		})
	})
}

var pledgeHeader = []string{"id", "fund_code", "donor_name", "stage", "pledged_on", "due_on", "amount", "currency",
	"exchange_rate", "amount_usd", "paid", "outstanding", "outstanding_usd", "status", "earmarking", "reference", "notes",
	"cancel_reason", "cancelled_at", "created_at", "created_by"}

// ExportPledges answers GET /exports/pledges.csv?fund_id=&donor_id=&status=.
func (h *Handler) ExportPledges(c *gin.Context) {
	q := newQuery(c)
	f := pledgeFilter(q)
	if err := q.err(); err != nil {
		Error(c, err)
		return
	}
	streamCSV(c, "pledges.csv", pledgeHeader, func(write func([]string) error) error {
		return h.reports.EachPledge(c.Request.Context(), f, func(p models.Pledge) error {
			return write([]string{strconv.FormatInt(p.ID, 10), p.FundCode, Cell(p.DonorName), p.Stage, string(p.PledgedOn),
				string(p.DueOn), p.Amount.String(), p.Currency, p.ExchangeRate.String(), p.AmountUSD.String(), p.Paid.String(),
				p.Outstanding.String(), p.OutstandingUSD.String(), p.Status, p.Earmarking, Cell(p.Reference), Cell(p.Notes),
				Cell(p.CancelReason), timestamp(p.CancelledAt), p.CreatedAt.Format(time.RFC3339), Cell(p.CreatedBy)})
		})
	})
}

func timestamp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
