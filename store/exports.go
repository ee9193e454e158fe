package store

import (
	"context"

	"github.com/fundtracker/fundtracker/models"
)

// EachContribution streams the contributions that match, oldest first, from a
// database cursor: memory stays flat whatever the size of the ledger.
func (s *Store) EachContribution(ctx context.Context, f ContributionFilter, fn func(models.Contribution) error) error {
	return s.ExportContributions(ctx, f, "", fn) // voided ones too
}

// contributionColumns are what fields() scans, in its order: rows are
// scanned with database/sql, without GORM's reflection on every row.
const contributionColumns = `contributions.id, contributions.fund_id, contributions.donor_id, contributions.pledge_id,
	contributions.amount_minor, contributions.currency, contributions.exchange_rate, contributions.amount_usd_cents,
	contributions.received_on, contributions.earmarking, contributions.reference, contributions.notes,
	contributions.voided_at, contributions.void_day, contributions.void_reason, contributions.voided_by,
	contributions.created_at, contributions.created_by, funds.code, donors.name, donors.country_code,
	COALESCE((SELECT p.reference FROM pledges p WHERE p.id = contributions.pledge_id), '')`

func (r *contributionRow) fields() []any {
	return []any{&r.ID, &r.FundID, &r.DonorID, &r.PledgeID, &r.AmountMinor, &r.Currency, &r.ExchangeRate, &r.AmountUSDCents,
		&r.ReceivedOn, &r.Earmarking, &r.Reference, &r.Notes, &r.VoidedAt, &r.VoidDay, &r.VoidReason, &r.VoidedBy,
		&r.CreatedAt, &r.CreatedBy, &r.FundCode, &r.DonorName, &r.DonorCountry, &r.PledgeReference}
}

// EachPledge streams the pledges that match, oldest first.
func (s *Store) EachPledge(ctx context.Context, f PledgeFilter, fn func(models.Pledge) error) error {
	today := s.today()
	rows, err := filterPledges(pledgeQuery(s.r.WithContext(ctx)), f, today).Order("pledges.id").Rows()
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
