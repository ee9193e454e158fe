package store

import (
	"context"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

const contributionSelect = "contributions.*, funds.code AS fund_code, donors.name AS donor_name, donors.country_code AS donor_country, " +
	"(SELECT MAX(r.effective_on) FROM exchange_rates r WHERE r.currency = contributions.currency AND r.effective_on <= contributions.received_on " +
	"AND r.units_per_usd = contributions.exchange_rate) AS rate_effective_on"

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

// ContributionFilter narrows the contribution list and export.
type ContributionFilter struct {
	FundID, DonorID, PledgeID int64
	From, To                  models.Date // received_on, inclusive
	ListFilter                            // issue 14: q, earmarking, currency
	Voided                    string      // exclude, include (""), only
}

func (f ContributionFilter) apply(q *gorm.DB) *gorm.DB {
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
	switch f.Voided {
	case "exclude":
		q = q.Where("contributions.voided_at IS NULL")
	case "only":
		q = q.Where("contributions.voided_at IS NOT NULL")
	}
	return f.ListFilter.apply(q, "contributions")
}

// Contributions lists contributions, voided ones included unless filtered,
// newest first: by received_on, then id, highest first.
func (s *Store) Contributions(ctx context.Context, f ContributionFilter, pg models.PageRequest) (models.Page[models.Contribution], error) {
	var rows []contributionRow
	if err := datePageQuery(f.apply(contributionQuery(s.r.WithContext(ctx))), "contributions", "received_on", pg).Find(&rows).Error; err != nil {
		return models.Page[models.Contribution]{}, err
	}
	out := make([]models.Contribution, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return models.NewKeyedPage(out, pg.Limit, func(c models.Contribution) (string, int64) { return string(c.ReceivedOn), c.ID }), nil
}

// CreateContribution records money received, paying a pledge when one is named.
func (s *Store) CreateContribution(ctx context.Context, a models.Actor, in models.ContributionInput, idem Idempotency) (models.Contribution, *Replay, error) {
	var out models.Contribution
	var rep *Replay
	err := s.writer.do(ctx, func(tx *gorm.DB) (err error) {
		if rep, err = s.replayed(tx, a, idem); err != nil || rep != nil {
			return err
		}
		var pledge *pledgeState
		var pm *models.Pledge
		if in.PledgeID != nil && *in.PledgeID > 0 {
			pledge, err = s.loadPledge(tx, *in.PledgeID)
			if err != nil && models.ErrorCode(err) != models.ENOTFOUND {
				return err
			}
			if pledge != nil {
				m := pledge.row.model(s.today())
				pm = &m
			}
		}
		c, given, problems := in.Validate(pm, s.today())
		if in.PledgeID != nil && *in.PledgeID > 0 && pledge == nil {
			problems.Add("pledge_id", "no pledge with id "+idString(*in.PledgeID))
		}
		fundCode, donorName, err := parties(tx, c.FundID, c.DonorID, problems)
		if err != nil {
			return err
		}
		if err := problems.Err(); err != nil {
			return err
		}
		rate, err := resolveRate(tx, c.Currency, c.ReceivedOn, given)
		if err != nil {
			return err
		}
		usd, err := models.USDValue(c.Amount.Amount, rate.Decimal, !given.IsZero())
		if err != nil {
			return err
		}
		places := models.MinorUnits(c.Currency)
		row := contributionRow{FundID: c.FundID, DonorID: c.DonorID, PledgeID: c.PledgeID,
			AmountMinor: models.ToMinor(c.Amount.Amount, places), Currency: c.Currency, ExchangeRate: rate.String(),
			AmountUSDCents: models.ToMinor(usd, 2),
			ReceivedOn:     string(c.ReceivedOn), Earmarking: c.Earmarking, Reference: c.Reference, Notes: c.Notes,
			CreatedAt: s.now(), CreatedBy: a.Email}
		if err := tx.Raw(`INSERT INTO contributions (fund_id, donor_id, pledge_id, amount_minor, currency, exchange_rate,
			amount_usd_cents, received_on, earmarking, reference, notes, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, row.FundID, row.DonorID, row.PledgeID, row.AmountMinor,
			row.Currency, row.ExchangeRate, row.AmountUSDCents, row.ReceivedOn, row.Earmarking, row.Reference, row.Notes,
			row.CreatedAt, row.CreatedBy).Scan(&row.ID).Error; err != nil {
			return err
		}
		if err := contributionEffect(tx, row, 1, c.ReceivedOn); err != nil {
			return err
		}
		if pledge != nil {
			after := pledge.clone()
			after.row.PaidMinor += row.AmountMinor
			after.payments = append(after.payments, models.Payment{ReceivedOn: c.ReceivedOn, Amount: c.Amount.Amount})
			if err := s.setPledgePaid(tx, after); err != nil {
				return err
			}
			if err := pledgeEffect(tx, pledge, after); err != nil {
				return err
			}
		}
		row.FundCode, row.DonorName = fundCode, donorName
		out = row.model()
		out.RateEffectiveOn = rateEffectiveOn(tx, c.Currency, c.ReceivedOn, row.ExchangeRate) // issue 14
		if err := s.audit(tx, a, "create", "contribution", out.ID, nil, out); err != nil {
			return err
		}
		return s.remember(tx, a, idem, 201, out)
	})
	return out, rep, wrap("create contribution", err)
}

func (s *Store) setPledgePaid(tx *gorm.DB, p *pledgeState) error {
	return tx.Model(&pledgeRow{}).Where("id = ?", p.row.ID).Updates(map[string]any{"paid_minor": p.row.PaidMinor, "updated_at": s.now()}).Error
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
		var row contributionRow
		if err := s.dialect.forUpdate(tx).Where("id = ?", id).Take(&row).Error; err != nil {
			if isNotFound(err) {
				return notFound("contribution", id)
			}
			return err
		}
		if row.VoidedAt != nil {
			return models.Errorf(models.ECONFLICT, "Contribution %d is already voided.", id)
		}
		before, err := s.contributionIn(tx, id)
		if err != nil {
			return err
		}
		var pledge *pledgeState
		if row.PledgeID != nil {
			if pledge, err = s.loadPledge(tx, *row.PledgeID); err != nil {
				return err
			}
		}
		now := s.now()
		day := models.DateOf(now)
		if err := tx.Model(&contributionRow{}).Where("id = ?", id).Updates(map[string]any{"voided_at": now, "void_day": string(day),
			"void_reason": reason, "voided_by": a.Email}).Error; err != nil {
			return err
		}
		if err := contributionEffect(tx, row, -1, day); err != nil {
			return err
		}
		if pledge != nil {
			after := pledge.clone()
			after.row.PaidMinor -= row.AmountMinor
			if err := markVoided(after.payments, row, day); err != nil {
				return err
			}
			if err := s.setPledgePaid(tx, after); err != nil {
				return err
			}
			if err := pledgeEffect(tx, pledge, after); err != nil {
				return err
			}
		}
		if out, err = s.contributionIn(tx, id); err != nil {
			return err
		}
		return s.audit(tx, a, "void", "contribution", id, before, out)
	})
	return out, wrap("void contribution", err)
}

// markVoided sets the void day of the payment that is this contribution:
// the first live payment with its day and amount (payments are in id order).
func markVoided(pays []models.Payment, row contributionRow, day models.Date) error {
	amount := models.FromMinor(row.AmountMinor, models.MinorUnits(row.Currency))
	for i := range pays {
		if pays[i].VoidDay == "" && pays[i].ReceivedOn == models.Date(row.ReceivedOn) && pays[i].Amount.Equal(amount) {
			pays[i].VoidDay = day
			return nil
		}
	}
	return models.Errorf(models.EINTERNAL, "contribution %d not found among its pledge's payments", row.ID)
}
