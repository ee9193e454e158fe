package store

import "github.com/fundtracker/fundtracker/models"

// The request types live in models (handlers use them without importing the
// store); these aliases keep the store's former names building.
type (
	Idempotency        = models.Idempotency
	Replay             = models.Replay
	ContributionFilter = models.ContributionFilter
	PledgeFilter       = models.PledgeFilter
	DonorFilter        = models.DonorFilter
	AuditFilter        = models.AuditFilter
	RecordFilter       = models.RecordFilter
	DonorShareWithID   = models.DonorShareWithID
)

// The exports' ?voided= choices (models.VoidedChoices).
const (
	VoidedInclude = models.VoidedInclude
	VoidedExclude = models.VoidedExclude
	VoidedOnly    = models.VoidedOnly
)
