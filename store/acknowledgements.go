package store

import (
	"context"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

// AcknowledgeContribution records whether a contribution has been
// acknowledged to its donor (issue 15), audited in the same transaction. A
// voided contribution is not acknowledged: 409.
func (s *Store) AcknowledgeContribution(ctx context.Context, a models.Actor, id int64, in models.AcknowledgeInput) (models.Contribution, error) {
	state, on, err := in.Validate(s.today())
	if err != nil {
		return models.Contribution{}, err
	}
	var out models.Contribution
	err = s.writer.do(ctx, func(tx *gorm.DB) error {
		var row contributionRow
		if err := s.dialect.forUpdate(tx).Where("id = ?", id).Take(&row).Error; err != nil {
			if isNotFound(err) {
				return notFound("contribution", id)
			}
			return err
		}
		before, err := s.contributionIn(tx, id)
		if err != nil {
			return err
		}
		if before.Voided {
			return models.Errorf(models.ECONFLICT, "Contribution %d is voided: it is not acknowledged.", id)
		}
		if err := tx.Exec("UPDATE contributions SET acknowledgement = ?, acknowledged_on = ? WHERE id = ?", state, string(on), id).Error; err != nil {
			return err
		}
		out = before
		out.Acknowledgement, out.AcknowledgedOn = state, on
		return s.audit(tx, a, "acknowledge", "contribution", id, before, out)
	})
	return out, wrap("acknowledge contribution", err)
}
