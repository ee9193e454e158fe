package handlers

import (
	"context"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
)

// BreakdownStore answers what a fund was paid by earmarking and currency (issue 14).
type BreakdownStore interface {
	FundBreakdown(ctx context.Context, idOrCode string, asOf models.Date) (models.FundBreakdown, error)
}

// FundBreakdown answers GET /funds/{id-or-code}/breakdown?as_of=: public.
func (h *Handler) FundBreakdown(c *gin.Context) {
	fundFigures(c, func(q *query) models.Date { return q.date("as_of") }, h.breakdown.FundBreakdown)
}
