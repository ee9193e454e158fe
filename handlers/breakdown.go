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
	q := newQuery(c)
	asOf := q.date("as_of")
	if err := q.err(); err != nil {
		Error(c, err)
		return
	}
	b, err := h.breakdown.FundBreakdown(c.Request.Context(), c.Param("fund"), asOf)
	if err != nil {
		Error(c, err)
		return
	}
	publicJSON(c, b)
}
