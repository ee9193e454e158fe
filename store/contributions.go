package store

import (
	"context"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

func contributionQuery(db *gorm.DB) *gorm.DB {
	return withParties(db, "contributions", ", donors.country_code AS donor_country"+rateEffectiveOnColumn("contributions", "received_on"))
}

// Contribution returns a contribution by id.
func (s *Store) Contribution(ctx context.Context, id int64) (models.Contribution, error) {
	return s.contributionIn(s.r.WithContext(ctx), id)
}

func (s *Store) contributionIn(db *gorm.DB, id int64) (models.Contribution, error) {
	row, err := takeByID[contributionRow](contributionQuery(db), "contributions.id", "contribution", id)
	return row.model(), err
}

// filterContributions narrows a contribution query.
func filterContributions(q *gorm.DB, f ContributionFilter) *gorm.DB {
	if f.FundID != 0 {
		q = q.Where("contributions.fund_id = ?", f.FundID)
	}
	if f.DonorID != 0 {
		q = q.Where("contributions.donor_id = ?", f.DonorID)
	}
	if f.PledgeID != 0 {
		q = q.Where("contributions.pledge_id = ?", f.PledgeID)
	}
	if f.From != "" {
		q = q.Where("contributions.received_on >= ?", string(f.From))
	}
	if f.To != "" {
		q = q.Where("contributions.received_on <= ?", string(f.To))
	}
	if f.Acknowledgement != "" {
		q = q.Where("contributions.acknowledgement = ?", f.Acknowledgement)
	}
	switch f.Voided {
	case "exclude":
		q = q.Where("contributions.voided_at IS NULL")
	case "only":
		q = q.Where("contributions.voided_at IS NOT NULL")
	}
	return filterList(q, f.ListFilter, "contributions")
}

// Contributions lists contributions, voided ones included unless filtered,
// newest first: by received_on, then id, highest first.
func (s *Store) Contributions(ctx context.Context, f ContributionFilter, pg models.PageRequest) (models.Page[models.Contribution], error) {
	return datePage(filterContributions(contributionQuery(s.r.WithContext(ctx)), f), "contributions", "received_on", pg,
		func(r contributionRow) models.Contribution { return r.model() },
		func(c models.Contribution) (string, int64) { return string(c.ReceivedOn), c.ID })
}

// CreateContribution records money received, paying a pledge when one is named.
func (s *Store) CreateContribution(ctx context.Context, a models.Actor, in models.ContributionInput, idem Idempotency) (models.Contribution, *Replay, error) {
	return ledgerWrite(s, ctx, a, idem, "create", "contribution", func(t *ltx) (written[models.Contribution], error) {
		// Load: the pledge named, then what the record's fund, donor and currency need.
		var pledge *models.PledgeState
		var pm *models.Pledge
		if in.PledgeID != nil && *in.PledgeID > 0 {
			st, err := t.loadPledge(*in.PledgeID, t.today())
			if err != nil && models.ErrorCode(err) != models.ENOTFOUND {
				return written[models.Contribution]{}, err
			}
			if st != nil {
				pledge, pm = st, &st.Pledge
			}
		}
		rl, err := t.loadRecord(a.Email, in.Keys(pm))
		if err != nil {
			return written[models.Contribution]{}, err
		}
		// Decide.
		w, err := models.DecideContribution(in, models.ContributionLoad{RecordLoad: rl, Pledge: pledge})
		if err != nil {
			return written[models.Contribution]{}, err
		}
		// Apply.
		c := w.Contribution
		if err := t.row(sqlContributionPut, c.FundID, c.DonorID, c.PledgeID, models.ToMinor(c.Amount.Amount, c.Amount.Places),
			c.Currency, c.ExchangeRate.String(), models.ToMinor(c.AmountUSD.Amount, 2), string(c.ReceivedOn), c.Earmarking,
			c.Reference, c.Notes, c.CreatedAt, c.CreatedBy).Scan(&c.ID); err != nil {
			return written[models.Contribution]{}, err
		}
		return written[models.Contribution]{ID: c.ID, After: c}, t.applyDecided(w.Pledge, w.Effects)
	})
}

// VoidContribution voids a contribution with a reason: it stays listed and
// leaves every total, and the pledge it paid is owed again.
func (s *Store) VoidContribution(ctx context.Context, a models.Actor, id int64, in models.ReasonInput) (models.Contribution, error) {
	reason, err := in.Valid()
	if err != nil {
		return models.Contribution{}, err
	}
	out, _, err := ledgerWrite(s, ctx, a, Idempotency{}, "void", "contribution", func(t *ltx) (written[models.Contribution], error) {
		before, err := t.loadContribution(id)
		if err != nil {
			return written[models.Contribution]{}, err
		}
		var pledge *models.PledgeState
		if before.PledgeID != nil && !before.Voided {
			if pledge, err = t.loadPledge(*before.PledgeID, t.today()); err != nil {
				return written[models.Contribution]{}, err
			}
		}
		w, err := models.DecideVoid(before, pledge, reason, t.now, a.Email)
		if err != nil {
			return written[models.Contribution]{}, err
		}
		c := w.Contribution
		if err := t.exec(sqlContributionVoid, c.VoidedAt, string(t.today()), c.VoidReason, c.VoidedBy, id); err != nil {
			return written[models.Contribution]{}, err
		}
		return written[models.Contribution]{ID: id, Before: before, After: c}, t.applyDecided(w.Pledge, w.Effects)
	})
	return out, err
}
