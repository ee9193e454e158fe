package handlers

import (
	"context"
	"net/http"

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
	WriteOffPledge(ctx context.Context, a models.Actor, id int64, in models.WriteOffInput, idem models.Idempotency) (models.Pledge, *models.Replay, error)
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

// WriteOffPledge answers POST /pledges/{id}/write-off (issue 11), with an
// optional Idempotency-Key (a retry must not write off twice).
func (h *Handler) WriteOffPledge(c *gin.Context) {
	id, err := pathID(c, "id", "pledge")
	if err != nil {
		Error(c, err)
		return
	}
	var in models.WriteOffInput
	if err := decode(c, &in); err != nil {
		Error(c, err)
		return
	}
	idem, err := idempotency(c, struct { // the pledge is part of what the key stands for
		PledgeID int64
		Body     models.WriteOffInput
	}{id, in})
	if err != nil {
		Error(c, err)
		return
	}
	out, replay, err := h.pledges.WriteOffPledge(c.Request.Context(), actor(c), id, in, idem)
	if err != nil {
		Error(c, err)
		return
	}
	if replay != nil {
		c.Header("Idempotent-Replayed", "true")
		c.Data(replay.Status, "application/json; charset=utf-8", replay.Body)
		return
	}
	c.JSON(http.StatusOK, out)
}

// ReschedulePledge answers PUT /pledges/{id}/schedule (issue 11).
func (h *Handler) ReschedulePledge(c *gin.Context) {
	changeByID(c, "pledge", h.pledges.ReschedulePledge)
}
