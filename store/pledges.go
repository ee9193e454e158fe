package store

import (
	"context"
	"strconv"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

const pledgeSelect = "pledges.*, funds.code AS fund_code, donors.name AS donor_name, " +
	"(SELECT MAX(r.effective_on) FROM exchange_rates r WHERE r.currency = pledges.currency AND r.effective_on <= pledges.pledged_on " +
	"AND r.units_per_usd = pledges.exchange_rate) AS rate_effective_on"

func pledgeQuery(db *gorm.DB) *gorm.DB {
	return db.Table("pledges").Select(pledgeSelect).
		Joins("JOIN funds ON funds.id = pledges.fund_id").Joins("JOIN donors ON donors.id = pledges.donor_id")
}

// loadPledge reads a pledge with the payments that bear on it, locking it
// for the rest of the transaction on engines with row locks.
func (s *Store) loadPledge(tx *gorm.DB, id int64) (*pledgeState, error) {
	var st pledgeState
	if err := s.dialect.forUpdate(tx).Where("id = ?", id).Take(&st.row).Error; err != nil {
		if isNotFound(err) {
			return nil, notFound("pledge", id)
		}
		return nil, err
	}
	if err := tx.Raw("SELECT code FROM funds WHERE id = ?", st.row.FundID).Scan(&st.row.FundCode).Error; err != nil {
		return nil, err
	}
	if err := tx.Raw("SELECT name FROM donors WHERE id = ?", st.row.DonorID).Scan(&st.row.DonorName).Error; err != nil {
		return nil, err
	}
	var pays []struct {
		ReceivedOn  string
		VoidDay     string
		AmountMinor int64
	}
	if err := tx.Raw("SELECT received_on, void_day, amount_minor FROM contributions WHERE pledge_id = ? ORDER BY id", id).Scan(&pays).Error; err != nil {
		return nil, err
	}
	places := models.MinorUnits(st.row.Currency)
	for _, p := range pays {
		st.payments = append(st.payments, models.Payment{ReceivedOn: models.Date(p.ReceivedOn), VoidDay: models.Date(p.VoidDay),
			Amount: models.FromMinor(p.AmountMinor, places)})
	}
	return &st, nil
}

func (p *pledgeState) clone() *pledgeState {
	c := *p
	c.payments = append([]models.Payment(nil), p.payments...)
	return &c
}

// Pledge returns a pledge by id.
func (s *Store) Pledge(ctx context.Context, id int64) (models.Pledge, error) {
	var row pledgeRow
	err := pledgeQuery(s.r.WithContext(ctx)).Where("pledges.id = ?", id).Take(&row).Error
	if isNotFound(err) {
		return models.Pledge{}, notFound("pledge", id)
	}
	return row.model(s.today()), err
}

// PledgeFilter narrows the pledge list.
type PledgeFilter struct {
	FundID, DonorID int64
	Status          string
	ListFilter      // issue 14: q, earmarking, currency
	Stage           string
	From, To        models.Date // pledged_on, inclusive
}

func (f PledgeFilter) apply(q *gorm.DB, today models.Date) *gorm.DB {
	if f.FundID != 0 {
		q = q.Where("pledges.fund_id = ?", f.FundID)
	}
	if f.DonorID != 0 {
		q = q.Where("pledges.donor_id = ?", f.DonorID)
	}
	// The same order of tests as models.Pledge.Derive.
	const live, unpaid, notDue = "pledges.cancelled_at IS NULL", "pledges.paid_minor < pledges.amount_minor", "(pledges.due_on = '' OR pledges.due_on >= ?)"
	switch f.Status {
	case models.StatusCancelled:
		q = q.Where("pledges.cancelled_at IS NOT NULL")
	case models.StatusFulfilled:
		q = q.Where(live + " AND pledges.paid_minor >= pledges.amount_minor")
	case models.StatusOverdue:
		q = q.Where(live+" AND "+unpaid+" AND pledges.due_on <> '' AND pledges.due_on < ?", string(today))
	case models.StatusOpen:
		q = q.Where(live+" AND pledges.paid_minor = 0 AND "+notDue, string(today))
	case models.StatusPartiallyPaid:
		q = q.Where(live+" AND pledges.paid_minor > 0 AND "+unpaid+" AND "+notDue, string(today))
	}
	if f.Stage != "" {
		q = q.Where("pledges.stage = ?", f.Stage)
	}
	if f.From != "" {
		q = q.Where("pledges.pledged_on >= ?", string(f.From))
	}
	if f.To != "" {
		q = q.Where("pledges.pledged_on <= ?", string(f.To))
	}
	return f.ListFilter.apply(q, "pledges")
}

// Pledges lists pledges, newest first: by pledged_on, then id, highest first.
func (s *Store) Pledges(ctx context.Context, f PledgeFilter, pg models.PageRequest) (models.Page[models.Pledge], error) {
	today := s.today()
	var rows []pledgeRow
	if err := datePageQuery(f.apply(pledgeQuery(s.r.WithContext(ctx)), today), "pledges", "pledged_on", pg).Find(&rows).Error; err != nil {
		return models.Page[models.Pledge]{}, err
	}
	out := make([]models.Pledge, len(rows))
	for i, r := range rows {
		out[i] = r.model(today)
	}
	return models.NewKeyedPage(out, pg.Limit, func(p models.Pledge) (string, int64) { return string(p.PledgedOn), p.ID }), nil
}

// parties reads the code of the fund and the name of the donor a record
// names, reporting per field an id that names nothing.
func parties(tx *gorm.DB, fundID, donorID int64, p models.Problems) (fundCode, donorName string, err error) {
	for _, c := range []struct {
		field, what, query string
		id                 int64
		into               *string
	}{
		{"fund_id", "fund", "SELECT code FROM funds WHERE id = ?", fundID, &fundCode},
		{"donor_id", "donor", "SELECT name FROM donors WHERE id = ?", donorID, &donorName},
	} {
		if c.id <= 0 {
			continue
		}
		var found []string
		if err := tx.Raw(c.query, c.id).Scan(&found).Error; err != nil {
			return "", "", err
		}
		if len(found) == 0 {
			p.Add(c.field, "no "+c.what+" with id "+strconv.FormatInt(c.id, 10))
			continue
		}
		*c.into = found[0]
	}
	if donorName != "" {
		if err := notMerged(tx, donorID, p); err != nil {
			return "", "", err
		}
	}
	return fundCode, donorName, nil
}

// CreatePledge records a pledge.
func (s *Store) CreatePledge(ctx context.Context, a models.Actor, in models.PledgeInput, idem Idempotency) (models.Pledge, *Replay, error) {
	var out models.Pledge
	var rep *Replay
	err := s.writer.do(ctx, func(tx *gorm.DB) (err error) {
		if rep, err = s.replayed(tx, a, idem); err != nil || rep != nil {
			return err
		}
		pl, given, problems := in.Validate(s.today())
		fundCode, donorName, err := parties(tx, pl.FundID, pl.DonorID, problems)
		if err != nil {
			return err
		}
		if err := problems.Err(); err != nil {
			return err
		}
		rate, err := resolveRate(tx, pl.Currency, pl.PledgedOn, given)
		if err != nil {
			return err
		}
		usd, err := models.USDValue(pl.Amount.Amount, rate.Decimal, !given.IsZero())
		if err != nil {
			return err
		}
		places := models.MinorUnits(pl.Currency)
		now := s.now()
		st := &pledgeState{row: pledgeRow{FundID: pl.FundID, DonorID: pl.DonorID, AmountMinor: models.ToMinor(pl.Amount.Amount, places),
			Currency: pl.Currency, ExchangeRate: rate.String(),
			AmountUSDCents: models.ToMinor(usd, 2),
			PledgedOn:      string(pl.PledgedOn), DueOn: string(pl.DueOn), Stage: pl.Stage, Earmarking: pl.Earmarking,
			Reference: pl.Reference, Notes: pl.Notes, CreatedAt: now, CreatedBy: a.Email, UpdatedAt: now}}
		if err := tx.Omit("FundCode", "DonorName").Create(&st.row).Error; err != nil {
			return err
		}
		if err := pledgeEffect(tx, nil, st); err != nil {
			return err
		}
		st.row.FundCode, st.row.DonorName = fundCode, donorName
		out = st.row.model(s.today())
		out.RateEffectiveOn = rateEffectiveOn(tx, pl.Currency, pl.PledgedOn, st.row.ExchangeRate) // issue 14
		if err := s.audit(tx, a, "create", "pledge", out.ID, nil, out); err != nil {
			return err
		}
		return s.remember(tx, a, idem, 201, out)
	})
	return out, rep, wrap("create pledge", err)
}

func (s *Store) pledgeIn(tx *gorm.DB, id int64) (models.Pledge, error) {
	var row pledgeRow
	err := pledgeQuery(tx).Where("pledges.id = ?", id).Take(&row).Error
	return row.model(s.today()), err
}

// UpdatePledge changes what may change of a pledge without touching money.
func (s *Store) UpdatePledge(ctx context.Context, a models.Actor, id int64, in models.PledgePatch) (models.Pledge, error) {
	var out models.Pledge
	err := s.writer.do(ctx, func(tx *gorm.DB) error {
		st, err := s.loadPledge(tx, id)
		if err != nil {
			return err
		}
		before := st.row.model(s.today())
		after := before
		if err := in.Apply(&after); err != nil {
			return err
		}
		changes := map[string]any{"due_on": string(after.DueOn),
			"stage": after.Stage, "earmarking": after.Earmarking, "reference": after.Reference, "notes": after.Notes,
			"updated_at": s.now()}
		// Issue 14: a new amount (never below what is paid) moves the aggregates.
		if !after.Amount.Amount.Equal(before.Amount.Amount) {
			usd, err := models.USDValue(after.Amount.Amount, before.ExchangeRate.Decimal, false)
			if err != nil {
				return err
			}
			next := st.clone()
			next.row.AmountMinor = models.ToMinor(after.Amount.Amount, after.Amount.Places)
			next.row.AmountUSDCents = models.ToMinor(usd, 2)
			changes["amount_minor"], changes["amount_usd_cents"] = next.row.AmountMinor, next.row.AmountUSDCents
			if err := pledgeEffect(tx, st, next); err != nil {
				return err
			}
		}
		if err := tx.Model(&pledgeRow{}).Where("id = ?", id).Updates(changes).Error; err != nil {
			return err
		}
		if out, err = s.pledgeIn(tx, id); err != nil {
			return err
		}
		return s.audit(tx, a, "update", "pledge", id, before, out)
	})
	return out, wrap("update pledge", err)
}

// CancelPledge cancels a pledge with a reason; the paid part stays paid.
func (s *Store) CancelPledge(ctx context.Context, a models.Actor, id int64, in models.ReasonInput) (models.Pledge, error) {
	p := models.Problems{}
	reason := models.Reason(in.Reason, p)
	if err := p.Err(); err != nil {
		return models.Pledge{}, err
	}
	var out models.Pledge
	err := s.writer.do(ctx, func(tx *gorm.DB) error {
		st, err := s.loadPledge(tx, id)
		if err != nil {
			return err
		}
		before := st.row.model(s.today())
		if before.Cancelled {
			return models.Errorf(models.ECONFLICT, "Pledge %d is already cancelled.", id)
		}
		if before.Status == models.StatusFulfilled {
			return models.Errorf(models.ECONFLICT, "Pledge %d is fulfilled: nothing is left to cancel.", id)
		}
		after := st.clone()
		now := s.now()
		after.row.CancelledAt, after.row.CancelDay, after.row.CancelReason, after.row.CancelledBy = &now, string(models.DateOf(now)), reason, a.Email
		if err := tx.Model(&pledgeRow{}).Where("id = ?", id).Updates(map[string]any{"cancelled_at": now, "cancel_day": after.row.CancelDay,
			"cancel_reason": reason, "cancelled_by": a.Email, "updated_at": now}).Error; err != nil {
			return err
		}
		if err := pledgeEffect(tx, st, after); err != nil {
			return err
		}
		if out, err = s.pledgeIn(tx, id); err != nil {
			return err
		}
		return s.audit(tx, a, "cancel", "pledge", id, before, out)
	})
	return out, wrap("cancel pledge", err)
}
