package store

import (
	"context"

	"github.com/fundtracker/fundtracker/models"
)

// EachContribution streams the contributions that match, oldest first, from a
// database cursor: memory stays flat whatever the size of the ledger.
func (s *Store) EachContribution(ctx context.Context, f ContributionFilter, fn func(models.Contribution) error) error {
	rows, err := f.apply(contributionQuery(s.r.WithContext(ctx))).Order("contributions.id").Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	db := s.r.WithContext(ctx)
	for rows.Next() {
		var row contributionRow
		if err := db.ScanRows(rows, &row); err != nil {
			return err
		}
		c := row.model()
		c.DonorCountry = row.DonorCountry
		if err := fn(c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EachPledge streams the pledges that match, oldest first.
func (s *Store) EachPledge(ctx context.Context, f PledgeFilter, fn func(models.Pledge) error) error {
	today := models.Today()
	rows, err := f.apply(pledgeQuery(s.r.WithContext(ctx)), today).Order("pledges.id").Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	db := s.r.WithContext(ctx)
	for rows.Next() {
		var row pledgeRow
		if err := db.ScanRows(rows, &row); err != nil {
			return err
		}
		if err := fn(row.model(today)); err != nil {
			return err
		}
	}
	return rows.Err()
}
