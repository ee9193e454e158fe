package handlers

import (
	"context"
	"net/http"

	"github.com/fundtracker/fundtracker/models"
	"github.com/fundtracker/fundtracker/store"
	"github.com/gin-gonic/gin"
)

// PledgeStore keeps pledges.
type PledgeStore interface {
	Pledge(ctx context.Context, id int64) (models.Pledge, error)
	Pledges(ctx context.Context, f store.PledgeFilter, pg models.PageRequest) (models.Page[models.Pledge], error)
	CreatePledge(ctx context.Context, a models.Actor, in models.PledgeInput, idem store.Idempotency) (models.Pledge, *store.Replay, error)
	UpdatePledge(ctx context.Context, a models.Actor, id int64, in models.PledgePatch) (models.Pledge, error)
	CancelPledge(ctx context.Context, a models.Actor, id int64, in models.ReasonInput) (models.Pledge, error)
	PledgeTotals(ctx context.Context, f store.PledgeFilter) (models.ListTotals, error)
}

func pledgeFilter(q *query) store.PledgeFilter {
	status := ""
	if q.c.Query("status") != "" {
		status = q.oneOf("status", "", models.PledgeStatuses)
	}
	f := store.PledgeFilter{FundID: q.id("fund_id"), DonorID: q.id("donor_id"), Status: status,
		ListFilter: q.listFilter(), From: q.date("from"), To: q.date("to")}
	if q.c.Query("stage") != "" {
		f.Stage = q.oneOf("stage", "", models.PledgeStages)
	}
	if f.From != "" && f.To != "" && f.To < f.From {
		q.p.Add("to", "must be on or after from")
	}
	return f
}

// ListPledges answers GET /pledges?fund_id=&donor_id=&status=&stage=&q=&earmarking=&currency=&from=&to=&totals=,
// newest first by pledged_on then id.
func (h *Handler) ListPledges(c *gin.Context) {
	q := newQuery(c)
	f := pledgeFilter(q)
	withTotals := q.flag("totals")
	pg := q.page()
	if err := q.err(); err != nil {
		Error(c, err)
		return
	}
	page, err := h.pledges.Pledges(c.Request.Context(), f, pg)
	if err != nil {
		Error(c, err)
		return
	}
	out := models.TotalledPage[models.Pledge]{Page: page}
	if withTotals {
		t, err := h.pledges.PledgeTotals(c.Request.Context(), f)
		if err != nil {
			Error(c, err)
			return
		}
		out.Totals = &t
	}
	c.JSON(http.StatusOK, out)
}

// GetPledge answers GET /pledges/{id}.
func (h *Handler) GetPledge(c *gin.Context) { getByID(c, "pledge", h.pledges.Pledge) }

// CreatePledge answers POST /pledges.
func (h *Handler) CreatePledge(c *gin.Context) { create(c, h.pledges.CreatePledge) }

// UpdatePledge answers PATCH /pledges/{id}.
func (h *Handler) UpdatePledge(c *gin.Context) { changeByID(c, "pledge", h.pledges.UpdatePledge) }

// CancelPledge answers POST /pledges/{id}/cancel.
func (h *Handler) CancelPledge(c *gin.Context) { changeByID(c, "pledge", h.pledges.CancelPledge) }
