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
	fundFigures(c, func(q *query) models.Date { return q.date("as_of") }, h.reports.Progress)
}

// DonorBreakdown answers GET /funds/{id-or-code}/donors.
func (h *Handler) DonorBreakdown(c *gin.Context) {
	fundFigures(c, (*query).page, h.reports.DonorBreakdown)
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
