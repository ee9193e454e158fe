package handlers

import (
	"context"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
)

// PledgeStore keeps pledges.
type PledgeStore interface {
	Pledge(ctx context.Context, id int64) (models.Pledge, error)
	Pledges(ctx context.Context, f models.PledgeFilter, pg models.PageRequest) (models.Page[models.Pledge], error)
	CreatePledge(ctx context.Context, a models.Actor, in models.PledgeInput, idem models.Idempotency) (models.Pledge, *models.Replay, error)
	UpdatePledge(ctx context.Context, a models.Actor, id int64, in models.PledgePatch) (models.Pledge, error)
	CancelPledge(ctx context.Context, a models.Actor, id int64, in models.ReasonInput) (models.Pledge, error)
}

func pledgeFilter(q *query) models.PledgeFilter {
	status := ""
	if q.c.Query("status") != "" {
		status = q.oneOf("status", "", models.PledgeStatuses)
	}
	return models.PledgeFilter{FundID: q.id("fund_id"), DonorID: q.id("donor_id"), Status: status}
}

// ListPledges answers GET /pledges?fund_id=&donor_id=&status=.
func (h *Handler) ListPledges(c *gin.Context) { list(c, pledgeFilter, h.pledges.Pledges) }

// GetPledge answers GET /pledges/{id}.
func (h *Handler) GetPledge(c *gin.Context) { getByID(c, "pledge", h.pledges.Pledge) }

// CreatePledge answers POST /pledges.
func (h *Handler) CreatePledge(c *gin.Context) { create(c, h.pledges.CreatePledge) }

// UpdatePledge answers PATCH /pledges/{id}.
func (h *Handler) UpdatePledge(c *gin.Context) { changeByID(c, "pledge", h.pledges.UpdatePledge) }

// CancelPledge answers POST /pledges/{id}/cancel.
func (h *Handler) CancelPledge(c *gin.Context) { changeByID(c, "pledge", h.pledges.CancelPledge) }
