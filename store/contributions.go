package store

import (
	"context"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

const contributionSelect = "contributions.*, funds.code AS fund_code, donors.name AS donor_name, donors.country_code AS donor_country"

func contributionQuery(db *gorm.DB) *gorm.DB {
	return db.Table("contributions").Select(contributionSelect).
		Joins("JOIN funds ON funds.id = contributions.fund_id").Joins("JOIN donors ON donors.id = contributions.donor_id")
}

// Contribution returns a contribution by id.
func (s *Store) Contribution(ctx context.Context, id int64) (models.Contribution, error) {
	return s.contributionIn(s.r.WithContext(ctx), id)
}

func (s *Store) contributionIn(db *gorm.DB, id int64) (models.Contribution, error) {
	var row contributionRow
	err := contributionQuery(db).Where("contributions.id = ?", id).Take(&row).Error
	if isNotFound(err) {
		return models.Contribution{}, notFound("contribution", id)
	}
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
	return q
}

// Contributions lists contributions, voided ones included, newest first.
func (s *Store) Contributions(ctx context.Context, f ContributionFilter, pg models.PageRequest) (models.Page[models.Contribution], error) {
	var rows []contributionRow
	if err := pageQuery(filterContributions(contributionQuery(s.r.WithContext(ctx)), f), "contributions.id", pg).Find(&rows).Error; err != nil {
		return models.Page[models.Contribution]{}, err
	}
	out := make([]models.Contribution, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return models.NewPage(out, pg.Limit, func(c models.Contribution) int64 { return c.ID }), nil
}

// CreateContribution records money received, paying a pledge when one is named.
func (s *Store) CreateContribution(ctx context.Context, a models.Actor, in models.ContributionInput, idem Idempotency) (models.Contribution, *Replay, error) {
	var out models.Contribution
	var rep *Replay
	err := s.writer.do(ctx, func(tx *gorm.DB) error {
		t, err := s.ledger(tx)
		if err != nil {
			return err
		}
		if rep, err = t.replayed(a, idem); err != nil || rep != nil {
			return err
		}
		// Load.
		ld := models.ContributionLoad{Today: models.DateOf(t.now), Now: t.now, By: a.Email}
		if in.PledgeID != nil && *in.PledgeID > 0 {
			if ld.Pledge, err = t.loadPledge(*in.PledgeID, ld.Today); err != nil && models.ErrorCode(err) != models.ENOTFOUND {
				return err
			}
		}
		var pm *models.Pledge
		if ld.Pledge != nil {
			pm = &ld.Pledge.Pledge
		}
		fundID, donorID, currency, rate := in.Keys(pm)
		if ld.Parties, ld.Rate, ld.Totals, err = t.loadContext(fundID, donorID, currency, rate); err != nil {
			return err
		}
		// Decide.
		w, err := models.DecideContribution(in, ld)
		if err != nil {
			return err
		}
		// Apply.
		c := w.Contribution
		if err := t.row(sqlContributionPut, c.FundID, c.DonorID, c.PledgeID, models.ToMinor(c.Amount.Amount, c.Amount.Places),
			c.Currency, c.ExchangeRate.String(), models.ToMinor(c.AmountUSD.Amount, 2), string(c.ReceivedOn), c.Earmarking,
			c.Reference, c.Notes, c.CreatedAt, c.CreatedBy).Scan(&c.ID); err != nil {
			return err
		}
		if w.Pledge != nil {
			if err := t.setPledge(w.Pledge.Pledge); err != nil {
				return err
			}
		}
		if err := t.apply(w.Effects); err != nil {
			return err
		}
		out = c
		if err := t.audit(a, "create", "contribution", c.ID, nil, c); err != nil {
			return err
		}
		return t.remember(a, idem, 201, c)
	})
	return out, rep, wrap("create contribution", err)
}

// VoidContribution voids a contribution with a reason: it stays listed and
// leaves every total, and the pledge it paid is owed again.
func (s *Store) VoidContribution(ctx context.Context, a models.Actor, id int64, in models.ReasonInput) (models.Contribution, error) {
	p := models.Problems{}
	reason := models.Reason(in.Reason, p)
	if err := p.Err(); err != nil {
		return models.Contribution{}, err
	}
	var out models.Contribution
	err := s.writer.do(ctx, func(tx *gorm.DB) error {
		t, err := s.ledger(tx)
		if err != nil {
			return err
		}
		before, err := t.loadContribution(id)
		if err != nil {
			return err
		}
		var pledge *models.PledgeState
		if before.PledgeID != nil && !before.Voided {
			if pledge, err = t.loadPledge(*before.PledgeID, models.DateOf(t.now)); err != nil {
				return err
			}
		}
		w, err := models.DecideVoid(before, pledge, reason, t.now, a.Email)
		if err != nil {
			return err
		}
		out = w.Contribution
		if err := t.exec(sqlContributionVoid, out.VoidedAt, string(models.DateOf(t.now)), out.VoidReason, out.VoidedBy, id); err != nil {
			return err
		}
		if w.Pledge != nil {
			if err := t.setPledge(w.Pledge.Pledge); err != nil {
				return err
			}
		}
		if err := t.apply(w.Effects); err != nil {
			return err
		}
		return t.audit(a, "void", "contribution", id, before, out)
	})
	return out, wrap("void contribution", err)
}
