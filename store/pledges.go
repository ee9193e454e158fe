package store

import (
	"context"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

const pledgeSelect = "pledges.*, funds.code AS fund_code, donors.name AS donor_name"

func pledgeQuery(db *gorm.DB) *gorm.DB {
	return db.Table("pledges").Select(pledgeSelect).
		Joins("JOIN funds ON funds.id = pledges.fund_id").Joins("JOIN donors ON donors.id = pledges.donor_id")
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

// filterPledges narrows a pledge query; status is as of today.
func filterPledges(q *gorm.DB, f PledgeFilter, today models.Date) *gorm.DB {
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
	return q
}

// Pledges lists pledges, newest first.
func (s *Store) Pledges(ctx context.Context, f PledgeFilter, pg models.PageRequest) (models.Page[models.Pledge], error) {
	today := s.today()
	var rows []pledgeRow
	if err := pageQuery(filterPledges(pledgeQuery(s.r.WithContext(ctx)), f, today), "pledges.id", pg).Find(&rows).Error; err != nil {
		return models.Page[models.Pledge]{}, err
	}
	out := make([]models.Pledge, len(rows))
	for i, r := range rows {
		out[i] = r.model(today)
	}
	return models.NewPage(out, pg.Limit, func(p models.Pledge) int64 { return p.ID }), nil
}

// CreatePledge records a pledge.
func (s *Store) CreatePledge(ctx context.Context, a models.Actor, in models.PledgeInput, idem Idempotency) (models.Pledge, *Replay, error) {
	var out models.Pledge
	var rep *Replay
	err := s.writer.do(ctx, func(tx *gorm.DB) error {
		t, err := s.ledger(tx)
		if err != nil {
			return err
		}
		if rep, err = t.replayed(a, idem); err != nil || rep != nil {
			return err
		}
		ld := models.PledgeLoad{Today: models.DateOf(t.now), Now: t.now, By: a.Email}
		fundID, donorID, currency, rate := in.Keys()
		if ld.Parties, ld.Rate, ld.Totals, err = t.loadContext(fundID, donorID, currency, rate); err != nil {
			return err
		}
		w, err := models.DecidePledge(in, ld)
		if err != nil {
			return err
		}
		pl := w.Pledge.Pledge
		if err := t.row(sqlPledgePut, pl.FundID, pl.DonorID, models.ToMinor(pl.Amount.Amount, pl.Amount.Places), pl.Currency,
			pl.ExchangeRate.String(), models.ToMinor(pl.AmountUSD.Amount, 2), string(pl.PledgedOn), string(pl.DueOn), pl.Stage,
			pl.Earmarking, pl.Reference, pl.Notes, pl.CreatedAt, pl.CreatedBy, pl.UpdatedAt).Scan(&pl.ID); err != nil {
			return err
		}
		if err := t.apply(w.Effects); err != nil {
			return err
		}
		out = pl
		if err := t.audit(a, "create", "pledge", pl.ID, nil, pl); err != nil {
			return err
		}
		return t.remember(a, idem, 201, pl)
	})
	return out, rep, wrap("create pledge", err)
}

// UpdatePledge changes what may change of a pledge without touching money.
// A patch that changes nothing writes nothing (no audit row).
func (s *Store) UpdatePledge(ctx context.Context, a models.Actor, id int64, in models.PledgePatch) (models.Pledge, error) {
	var out models.Pledge
	err := s.writer.do(ctx, func(tx *gorm.DB) error {
		t, err := s.ledger(tx)
		if err != nil {
			return err
		}
		st, err := t.loadPledge(id, models.DateOf(t.now))
		if err != nil {
			return err
		}
		after, changed, err := models.DecidePledgePatch(st.Pledge, in, t.now, models.DateOf(t.now))
		if err != nil || !changed {
			out = after
			return err
		}
		if err := t.setPledge(after); err != nil {
			return err
		}
		out = after
		return t.audit(a, "update", "pledge", id, st.Pledge, after)
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
		t, err := s.ledger(tx)
		if err != nil {
			return err
		}
		st, err := t.loadPledge(id, models.DateOf(t.now))
		if err != nil {
			return err
		}
		w, err := models.DecideCancelPledge(st, reason, t.now, a.Email)
		if err != nil {
			return err
		}
		if err := t.setPledge(w.Pledge.Pledge); err != nil {
			return err
		}
		if err := t.apply(w.Effects); err != nil {
			return err
		}
		out = w.Pledge.Pledge
		return t.audit(a, "cancel", "pledge", id, st.Pledge, out)
	})
	return out, wrap("cancel pledge", err)
}
