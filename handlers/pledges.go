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
	PledgeTotals(ctx context.Context, f models.PledgeFilter) (models.ListTotals, error)
	WriteOffPledge(ctx context.Context, a models.Actor, id int64, in models.WriteOffInput) (models.Pledge, error)
	ReschedulePledge(ctx context.Context, a models.Actor, id int64, in models.ScheduleBody) (models.Pledge, error)
}

func pledgeFilter(q *query) models.PledgeFilter {
	f := models.PledgeFilter{FundID: q.id("fund_id"), DonorID: q.id("donor_id"), Status: q.optional("status", models.PledgeStatuses),
		Stage: q.optional("stage", models.PledgeStages), ListFilter: q.listFilter()}
	f.From, f.To = q.dateRange()
	return f
}

// ListPledges answers GET /pledges?fund_id=&donor_id=&status=&stage=&q=&earmarking=&currency=&from=&to=&totals=,
// newest first by pledged_on then id.
func (h *Handler) ListPledges(c *gin.Context) {
	listTotalled(c, pledgeFilter, h.pledges.Pledges, h.pledges.PledgeTotals)
}

// GetPledge answers GET /pledges/{id}.
func (h *Handler) GetPledge(c *gin.Context) { getByID(c, "pledge", h.pledges.Pledge) }

// CreatePledge answers POST /pledges.
func (h *Handler) CreatePledge(c *gin.Context) { create(c, h.pledges.CreatePledge) }

// UpdatePledge answers PATCH /pledges/{id}.
func (h *Handler) UpdatePledge(c *gin.Context) { changeByID(c, "pledge", h.pledges.UpdatePledge) }

// CancelPledge answers POST /pledges/{id}/cancel.
func (h *Handler) CancelPledge(c *gin.Context) { changeByID(c, "pledge", h.pledges.CancelPledge) }

// WriteOffPledge answers POST /pledges/{id}/write-off (issue 11).
func (h *Handler) WriteOffPledge(c *gin.Context) { changeByID(c, "pledge", h.pledges.WriteOffPledge) }

// ReschedulePledge answers PUT /pledges/{id}/schedule (issue 11).
func (h *Handler) ReschedulePledge(c *gin.Context) {
	changeByID(c, "pledge", h.pledges.ReschedulePledge)
}
