package handlers

import (
	"context"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
)

// ReportStore answers the public figures of a fund and streams exports.
type ReportStore interface {
	Progress(ctx context.Context, idOrCode string, asOf models.Date) (models.Progress, error)
	DonorBreakdown(ctx context.Context, idOrCode string, pg models.PageRequest) (models.Page[models.DonorShare], error)
	Timeline(ctx context.Context, idOrCode, interval string) ([]models.TimelinePoint, error)
	EachContribution(ctx context.Context, f models.ContributionFilter, fn func(models.Contribution) error) error
	EachPledge(ctx context.Context, f models.PledgeFilter, fn func(models.Pledge) error) error
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

// The exports (contributions.csv, pledges.csv, donors.csv and their .xlsx
// twins) are in exports.go.
