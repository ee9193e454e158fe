package handlers

import (
	"context"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
)

// DonorStore keeps donors.
type DonorStore interface {
	Donor(ctx context.Context, id int64) (models.Donor, error)
	Donors(ctx context.Context, f models.DonorFilter, pg models.PageRequest) (models.Page[models.Donor], error)
	CreateDonor(ctx context.Context, a models.Actor, in models.DonorInput, idem models.Idempotency) (models.Donor, *models.Replay, error)
	UpdateDonor(ctx context.Context, a models.Actor, id int64, in models.DonorInput) (models.Donor, error)
	MergeDonor(ctx context.Context, a models.Actor, id int64, in models.MergeInput) (models.Donor, error)
}

// ListDonors answers GET /donors?fund_id=&q=.
func (h *Handler) ListDonors(c *gin.Context) {
	list(c, func(q *query) models.DonorFilter {
		return models.DonorFilter{FundID: q.id("fund_id"), Query: c.Query("q")}
	}, h.donors.Donors)
}

// GetDonor answers GET /donors/{id}.
func (h *Handler) GetDonor(c *gin.Context) { getByID(c, "donor", h.donors.Donor) }

// CreateDonor answers POST /donors.
func (h *Handler) CreateDonor(c *gin.Context) { create(c, h.donors.CreateDonor) }

// UpdateDonor answers PATCH /donors/{id}.
func (h *Handler) UpdateDonor(c *gin.Context) { changeByID(c, "donor", h.donors.UpdateDonor) }

// MergeDonor answers POST /donors/{id}/merge {"into_id", "reason"}: the
// donor's pledges and contributions move to into_id; the donor stays, merged.
func (h *Handler) MergeDonor(c *gin.Context) { changeByID(c, "donor", h.donors.MergeDonor) }
