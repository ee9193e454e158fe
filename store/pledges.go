package store

import (
	"context"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

func pledgeQuery(db *gorm.DB) *gorm.DB {
	return withParties(db, "pledges", rateEffectiveOnColumn("pledges", "pledged_on"))
}

// Pledge returns a pledge by id.
func (s *Store) Pledge(ctx context.Context, id int64) (models.Pledge, error) {
	row, err := takeByID[pledgeRow](pledgeQuery(s.r.WithContext(ctx)), "pledges.id", "pledge", id)
	if err != nil {
		return models.Pledge{}, err
	}
	out := []models.Pledge{row.model(s.today())}
	err = attachSchedules(s.r.WithContext(ctx), out, s.today())
	return out[0], err
}

// attachSchedules reads the current schedules of pledges (issue 11) in one
// query and derives their instalments.
func attachSchedules(db *gorm.DB, pledges []models.Pledge, today models.Date) error {
	if len(pledges) == 0 {
		return nil
	}
	ids := make([]int64, len(pledges))
	at := make(map[int64]int, len(pledges))
	for i, p := range pledges {
		ids[i], at[p.ID] = p.ID, i
	}
	var rows []struct {
		PledgeID        int64
		Seq             int
		DueOn           string
		AmountMinor     int64
		WrittenOffMinor int64
	}
	if err := db.Raw(`SELECT i.pledge_id, i.seq, i.due_on, i.amount_minor, i.written_off_minor FROM pledge_instalments i
		JOIN pledges p ON p.id = i.pledge_id AND p.schedule_version = i.version
		WHERE i.pledge_id IN ? ORDER BY i.pledge_id, i.seq`, ids).Scan(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		p := &pledges[at[r.PledgeID]]
		places := models.MinorUnits(p.Currency)
		p.Schedule = append(p.Schedule, models.ScheduleRow{Seq: r.Seq, DueOn: models.Date(r.DueOn),
			Amount: models.FromMinor(r.AmountMinor, places), WrittenOff: models.FromMinor(r.WrittenOffMinor, places)})
	}
	for i := range pledges {
		if pledges[i].Schedule != nil {
			pledges[i].Derive(today)
		} else {
			pledges[i].Instalments = []models.Instalment{}
		}
	}
	return nil
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
	const live, unsettled, notDue = "pledges.cancelled_at IS NULL", "pledges.paid_minor + pledges.written_off_minor < pledges.amount_minor",
		"(pledges.next_due_on = '' OR pledges.next_due_on >= ?)"
	switch f.Status {
	case models.StatusCancelled:
		q = q.Where("pledges.cancelled_at IS NOT NULL")
	case models.StatusFulfilled:
		q = q.Where(live + " AND pledges.paid_minor >= pledges.amount_minor")
	case models.StatusWrittenOff:
		q = q.Where(live + " AND pledges.paid_minor < pledges.amount_minor AND NOT (" + unsettled + ")")
	case models.StatusOverdue:
		q = q.Where(live+" AND "+unsettled+" AND pledges.next_due_on <> '' AND pledges.next_due_on < ?", string(today))
	case models.StatusOpen:
		q = q.Where(live+" AND pledges.paid_minor = 0 AND "+unsettled+" AND "+notDue, string(today))
	case models.StatusPartiallyPaid:
		q = q.Where(live+" AND pledges.paid_minor > 0 AND "+unsettled+" AND "+notDue, string(today))
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
	return filterList(q, f.ListFilter, "pledges")
}

// Pledges lists pledges, newest first: by pledged_on, then id, highest first.
func (s *Store) Pledges(ctx context.Context, f PledgeFilter, pg models.PageRequest) (models.Page[models.Pledge], error) {
	today := s.today()
	page, err := datePage(filterPledges(pledgeQuery(s.r.WithContext(ctx)), f, today), "pledges", "pledged_on", pg,
		func(r pledgeRow) models.Pledge { return r.model(today) },
		func(p models.Pledge) (string, int64) { return string(p.PledgedOn), p.ID })
	if err == nil {
		err = attachSchedules(s.r.WithContext(ctx), page.Items, today)
	}
	return page, err
}

// CreatePledge records a pledge.
func (s *Store) CreatePledge(ctx context.Context, a models.Actor, in models.PledgeInput, idem Idempotency) (models.Pledge, *Replay, error) {
	return ledgerWrite(s, ctx, a, idem, "create", "pledge", func(t *ltx) (written[models.Pledge], error) {
		ld, err := t.loadRecord(a.Email, in.Keys())
		if err != nil {
			return written[models.Pledge]{}, err
		}
		if in.Stage == models.StageCommitment { // issue 16: a fund may require an agreement first
			if ld.CommitmentBlocked, err = t.commitmentProblem(in.FundID, 0); err != nil {
				return written[models.Pledge]{}, err
			}
		}
		w, err := models.DecidePledge(in, ld)
		if err != nil {
			return written[models.Pledge]{}, err
		}
		pl := w.Pledge.Pledge
		if pl.ID, err = t.insertPledge(pl); err != nil {
			return written[models.Pledge]{}, err
		}
		return written[models.Pledge]{ID: pl.ID, After: pl}, t.applyDecided(nil, w.Effects)
	})
}

// changePledge loads a pledge, decides a change to it and applies it.
func (s *Store) changePledge(ctx context.Context, a models.Actor, id int64, action string,
	decide func(t *ltx, st *models.PledgeState) (models.PledgeWrite, bool, error)) (models.Pledge, error) {
	out, _, err := ledgerWrite(s, ctx, a, Idempotency{}, action, "pledge", func(t *ltx) (written[models.Pledge], error) {
		st, err := t.loadPledge(id, t.today())
		if err != nil {
			return written[models.Pledge]{}, err
		}
		w, changed, err := decide(t, st)
		if err != nil || !changed {
			return written[models.Pledge]{After: st.Pledge, Unchanged: true}, err
		}
		if err := t.applyDecided(w.Pledge, w.Effects); err != nil {
			return written[models.Pledge]{}, err
		}
		if err := t.syncSchedule(st.Pledge, w.Pledge.Pledge); err != nil {
			return written[models.Pledge]{}, err
		}
		return written[models.Pledge]{ID: id, Before: st.Pledge, After: w.Pledge.Pledge}, nil
	})
	return out, err
}

// UpdatePledge changes what may change of a pledge: its amount (never below
// what is paid; issue 14), due date, stage, earmarking, reference and notes.
// A patch that changes nothing writes nothing (no audit row).
func (s *Store) UpdatePledge(ctx context.Context, a models.Actor, id int64, in models.PledgePatch) (models.Pledge, error) {
	return s.changePledge(ctx, a, id, "update", func(t *ltx, st *models.PledgeState) (models.PledgeWrite, bool, error) {
		var totals models.CurrentTotals
		if in.Amount.Set { // a new amount may take the totals past their bound
			pl := st.Pledge
			var err error
			if _, _, _, totals, err = t.loadContext(pl.FundID, pl.DonorID, pl.Currency, models.RateKey{}); err != nil {
				return models.PledgeWrite{}, false, err
			}
		}
		blocked := ""
		if in.Stage != nil && *in.Stage == models.StageCommitment && st.Pledge.Stage != models.StageCommitment { // issue 16
			var err error
			if blocked, err = t.commitmentProblem(st.Pledge.FundID, id); err != nil {
				return models.PledgeWrite{}, false, err
			}
		}
		return models.DecidePledgePatch(st, in, t.now, t.today(), totals, blocked)
	})
}

// CancelPledge cancels a pledge with a reason; the paid part stays paid.
func (s *Store) CancelPledge(ctx context.Context, a models.Actor, id int64, in models.ReasonInput) (models.Pledge, error) {
	reason, err := in.Valid()
	if err != nil {
		return models.Pledge{}, err
	}
	return s.changePledge(ctx, a, id, "cancel", func(t *ltx, st *models.PledgeState) (models.PledgeWrite, bool, error) {
		w, err := models.DecideCancelPledge(st, reason, t.now, a.Email)
		return w, err == nil, err
	})
}

// WriteOffPledge writes off part of a pledge (issue 11): from its last
// instalments backwards, recorded with its reason and its USD value. With an
// Idempotency-Key, a retry answers the first answer and writes nothing more.
// The audit row's after is the pledge with the write-off record beside it.
func (s *Store) WriteOffPledge(ctx context.Context, a models.Actor, id int64, in models.WriteOffInput, idem Idempotency) (models.Pledge, *Replay, error) {
	return ledgerWrite(s, ctx, a, idem, models.ActionWriteOff, "pledge", func(t *ltx) (written[models.Pledge], error) {
		st, err := t.loadPledge(id, t.today())
		if err != nil {
			return written[models.Pledge]{}, err
		}
		w, err := models.DecideWriteOff(st, in, t.now, a.Email)
		if err != nil {
			return written[models.Pledge]{}, err
		}
		wo := w.WriteOff
		if err := t.db.Raw(`INSERT INTO pledge_write_offs (pledge_id, fund_id, amount_minor, currency, amount_usd_cents, day, reason,
			created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, wo.PledgeID, st.Pledge.FundID,
			models.ToMinor(wo.Amount.Amount, wo.Amount.Places), wo.Currency, models.ToMinor(wo.AmountUSD.Amount, 2), string(wo.Day),
			wo.Reason, wo.CreatedAt, wo.CreatedBy).Scan(&wo.ID).Error; err != nil {
			return written[models.Pledge]{}, err
		}
		if err := t.applyDecided(w.Pledge, w.Effects); err != nil {
			return written[models.Pledge]{}, err
		}
		if err := t.syncSchedule(st.Pledge, w.Pledge.Pledge); err != nil {
			return written[models.Pledge]{}, err
		}
		after := w.Pledge.Pledge
		return written[models.Pledge]{ID: id, Before: st.Pledge, After: after, Status: 200,
			AuditAfter: struct {
				models.Pledge
				WriteOff models.WriteOff `json:"write_off"`
			}{after, wo}}, nil
	})
}

// ReschedulePledge replaces a pledge's schedule (issue 11) with a new
// version; the old rows stay, and the audit row keeps both.
func (s *Store) ReschedulePledge(ctx context.Context, a models.Actor, id int64, in models.ScheduleBody) (models.Pledge, error) {
	out, _, err := ledgerWrite(s, ctx, a, Idempotency{}, models.ActionReschedule, "pledge", func(t *ltx) (written[models.Pledge], error) {
		st, err := t.loadPledge(id, t.today())
		if err != nil {
			return written[models.Pledge]{}, err
		}
		w, err := models.DecideReschedule(st, in, t.now)
		if err != nil {
			return written[models.Pledge]{}, err
		}
		var version int
		if err := t.db.Raw(`UPDATE pledges SET schedule_version = schedule_version + 1 WHERE id = ? RETURNING schedule_version`, id).
			Scan(&version).Error; err != nil {
			return written[models.Pledge]{}, err
		}
		if err := t.putSchedule(id, version, st.Pledge.Currency, w.Pledge.Pledge.Schedule); err != nil {
			return written[models.Pledge]{}, err
		}
		if err := t.applyDecided(w.Pledge, w.Effects); err != nil {
			return written[models.Pledge]{}, err
		}
		return written[models.Pledge]{ID: id, Before: st.Pledge, After: w.Pledge.Pledge}, nil
	})
	return out, err
}
