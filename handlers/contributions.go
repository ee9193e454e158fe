package handlers

import (
	"context"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
)

// ContributionStore keeps contributions.
type ContributionStore interface {
	Contribution(ctx context.Context, id int64) (models.Contribution, error)
	Contributions(ctx context.Context, f models.ContributionFilter, pg models.PageRequest) (models.Page[models.Contribution], error)
	CreateContribution(ctx context.Context, a models.Actor, in models.ContributionInput, idem models.Idempotency) (models.Contribution, *models.Replay, error)
	VoidContribution(ctx context.Context, a models.Actor, id int64, in models.ReasonInput) (models.Contribution, error)
	ContributionTotals(ctx context.Context, f models.ContributionFilter) (models.ListTotals, error)
}

func contributionFilter(q *query) models.ContributionFilter {
	f := models.ContributionFilter{FundID: q.id("fund_id"), DonorID: q.id("donor_id"), PledgeID: q.id("pledge_id"),
		ListFilter: q.listFilter(), Voided: q.optional("voided", models.VoidedChoices),
		Acknowledgement: q.optional("acknowledgement", models.Acknowledgements)} // issue 15
	f.From, f.To = q.dateRange()
	return f
}

// ListContributions answers GET /contributions?fund_id=&donor_id=&pledge_id=&from=&to=&q=&earmarking=&currency=&voided=&totals=,
// newest first by received_on then id.
func (h *Handler) ListContributions(c *gin.Context) {
	listTotalled(c, contributionFilter, h.contributions.Contributions, h.contributions.ContributionTotals)
}

// GetContribution answers GET /contributions/{id}.
func (h *Handler) GetContribution(c *gin.Context) {
	getByID(c, "contribution", h.contributions.Contribution)
}

// CreateContribution answers POST /contributions; an Idempotency-Key makes retries safe.
func (h *Handler) CreateContribution(c *gin.Context) { create(c, h.contributions.CreateContribution) }

// VoidContribution answers POST /contributions/{id}/void.
func (h *Handler) VoidContribution(c *gin.Context) {
	changeByID(c, "contribution", h.contributions.VoidContribution)
}
