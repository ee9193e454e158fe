package handlers

import (
	"context"
	"net/http"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
)

// FundStore keeps funds.
type FundStore interface {
	Fund(ctx context.Context, idOrCode string) (models.Fund, error)
	Funds(ctx context.Context, pg models.PageRequest) (models.Page[models.Fund], error)
	CreateFund(ctx context.Context, a models.Actor, in models.FundInput, idem models.Idempotency) (models.Fund, *models.Replay, error)
	UpdateFund(ctx context.Context, a models.Actor, idOrCode string, in models.FundInput) (models.Fund, error)
}

// ListFunds answers GET /funds.
func (h *Handler) ListFunds(c *gin.Context) {
	q := newQuery(c)
	pg := q.page()
	if err := q.err(); err != nil {
		Error(c, err)
		return
	}
	page, err := h.funds.Funds(c.Request.Context(), pg)
	if err != nil {
		Error(c, err)
		return
	}
	lang := Lang(c)
	for i := range page.Items {
		page.Items[i] = page.Items[i].Localized(lang)
	}
	publicJSON(c, page)
}

// GetFund answers GET /funds/{id-or-code}.
func (h *Handler) GetFund(c *gin.Context) {
	f, err := h.funds.Fund(c.Request.Context(), c.Param("fund"))
	if err != nil {
		Error(c, err)
		return
	}
	publicJSON(c, f.Localized(Lang(c)))
}

// CreateFund answers POST /funds.
func (h *Handler) CreateFund(c *gin.Context) { create(c, h.funds.CreateFund) }

// UpdateFund answers PATCH /funds/{id}.
func (h *Handler) UpdateFund(c *gin.Context) {
	var in models.FundInput
	if err := decode(c, &in); err != nil {
		Error(c, err)
		return
	}
	f, err := h.funds.UpdateFund(c.Request.Context(), actor(c), c.Param("fund"), in)
	if err != nil {
		Error(c, err)
		return
	}
	c.JSON(http.StatusOK, f)
}
