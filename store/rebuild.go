package store

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

// RebuildAggregates recomputes every aggregate table, and each pledge's paid
// amount, from the ledger's rows, in one transaction. It is the reference the
// incremental aggregates are tested against, and what a bulk load calls last.
func (s *Store) RebuildAggregates(ctx context.Context) error {
	return s.writer.do(ctx, func(tx *gorm.DB) error {
		tx = tx.WithContext(ctx)
		for _, stmt := range rebuildSQL {
			if err := tx.Exec(stmt).Error; err != nil {
				return fmt.Errorf("rebuild: %w: %s", err, strings.Fields(stmt)[0:3])
			}
		}
		return s.rebuildOutstanding(tx)
	})
}

// The parts of the aggregates that are plain integer sums over rows.
var rebuildSQL = []string{
	`DELETE FROM fund_totals`, `DELETE FROM fund_day_totals`, `DELETE FROM fund_donor_totals`,
	`DELETE FROM fund_donor_day_totals`, `DELETE FROM fund_currency_totals`,
	`UPDATE pledges SET paid_minor = COALESCE((SELECT SUM(c.amount_minor) FROM contributions c
		WHERE c.pledge_id = pledges.id AND c.voided_at IS NULL), 0)`,
	`UPDATE pledges SET written_off_minor = COALESCE((SELECT SUM(w.amount_minor) FROM pledge_write_offs w
		WHERE w.pledge_id = pledges.id), 0), written_off_usd_cents = COALESCE((SELECT SUM(w.amount_usd_cents)
		FROM pledge_write_offs w WHERE w.pledge_id = pledges.id), 0)`,
	`INSERT INTO fund_totals (fund_id, paid_cents, outstanding_cents, paid_unearmarked_cents, contribution_count, donor_count)
		SELECT f.id,
		  COALESCE((SELECT SUM(amount_usd_cents) FROM contributions c WHERE c.fund_id = f.id AND c.voided_at IS NULL), 0), 0,
		  COALESCE((SELECT SUM(amount_usd_cents) FROM contributions c WHERE c.fund_id = f.id AND c.voided_at IS NULL AND c.earmarking = 'unearmarked'), 0),
		  (SELECT COUNT(*) FROM contributions c WHERE c.fund_id = f.id AND c.voided_at IS NULL), 0
		FROM funds f`,
	`INSERT INTO fund_day_totals (fund_id, day, paid_cents, outstanding_cents, paid_unearmarked_cents, contribution_count,
		  timeline_paid_cents, timeline_outstanding_cents)
		SELECT fund_id, day, SUM(paid), 0, SUM(unearmarked), SUM(n), SUM(timeline), 0 FROM (
		  SELECT fund_id, received_on AS day, amount_usd_cents AS paid,
		    CASE WHEN earmarking = 'unearmarked' THEN amount_usd_cents ELSE 0 END AS unearmarked, 1 AS n,
		    CASE WHEN voided_at IS NULL THEN amount_usd_cents ELSE 0 END AS timeline FROM contributions
		  UNION ALL
		  SELECT fund_id, void_day, -amount_usd_cents,
		    CASE WHEN earmarking = 'unearmarked' THEN -amount_usd_cents ELSE 0 END, -1, 0 FROM contributions WHERE void_day <> ''
		) x GROUP BY fund_id, day`,
	`INSERT INTO fund_donor_totals (fund_id, donor_id, paid_cents, outstanding_cents, live_records)
		SELECT fund_id, donor_id, SUM(paid), 0, SUM(live) FROM (
		  SELECT fund_id, donor_id, amount_usd_cents AS paid, 1 AS live FROM contributions WHERE voided_at IS NULL
		  UNION ALL
		  SELECT fund_id, donor_id, 0, 1 FROM pledges WHERE cancelled_at IS NULL
		) x GROUP BY fund_id, donor_id`,
	`INSERT INTO fund_donor_day_totals (fund_id, donor_id, day, live_records)
		SELECT fund_id, donor_id, day, SUM(live) FROM (
		  SELECT fund_id, donor_id, received_on AS day, 1 AS live FROM contributions
		  UNION ALL SELECT fund_id, donor_id, void_day, -1 FROM contributions WHERE void_day <> ''
		  UNION ALL SELECT fund_id, donor_id, pledged_on, 1 FROM pledges
		  UNION ALL SELECT fund_id, donor_id, cancel_day, -1 FROM pledges WHERE cancel_day <> ''
		) x GROUP BY fund_id, donor_id, day`,
	`UPDATE fund_totals SET donor_count = (SELECT COUNT(*) FROM fund_donor_totals t
		WHERE t.fund_id = fund_totals.fund_id AND t.live_records > 0)`,
	`INSERT INTO fund_currency_totals (fund_id, currency, paid_minor, paid_cents, outstanding_minor, outstanding_cents)
		SELECT fund_id, currency, SUM(amount_minor), SUM(amount_usd_cents), 0, 0 FROM contributions
		WHERE voided_at IS NULL GROUP BY fund_id, currency`,
}

// rebuildOutstanding adds every pledge's outstanding, now and day by day.
// Rounding is per pledge, so this is done pledge by pledge in Go, summed in
// memory and written each row once.
func (s *Store) rebuildOutstanding(tx *gorm.DB) error {
	t, err := s.ledger(tx)
	if err != nil {
		return err
	}
	var e models.Effects
	today := models.DateOf(t.now)
	type due struct {
		id   int64
		next models.Date
	}
	var stale []due
	err = eachPledgeState(tx, today, nil, func(st *models.PledgeState, storedNextDue models.Date) error {
		minor, cents := st.Outstanding()
		pl := st.Pledge
		if pl.NextDueOn != storedNextDue {
			stale = append(stale, due{pl.ID, pl.NextDueOn})
		}
		e.Fund(pl.FundID, models.FundDelta{Outstanding: cents})
		e.Donor(pl.FundID, pl.DonorID, models.DonorDelta{Outstanding: cents})
		e.Currency(pl.FundID, pl.Currency, models.CurrencyDelta{OutstandingMinor: minor, OutstandingCents: cents})
		h := st.History()
		for d, v := range h.Steps() {
			e.Day(pl.FundID, d, models.DayDelta{Outstanding: v})
		}
		for d, v := range h.Current().Steps() {
			e.Day(pl.FundID, d, models.DayDelta{TimelineOutstanding: v})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, d := range stale { // next_due_on follows the schedule and what is paid (issue 11)
		if err := tx.Exec(`UPDATE pledges SET next_due_on = ? WHERE id = ?`, string(d.next), d.id).Error; err != nil {
			return err
		}
	}
	return t.apply(e)
}

// eachPledgeState calls fn for every pledge (narrowed by where, when given)
// with its fund's code, donor's name, payments, current schedule and
// write-offs, derived on today, a batch of pledges at a time, so that memory
// does not grow with the ledger. fn also gets the next_due_on stored.
func eachPledgeState(db *gorm.DB, today models.Date, where func(*gorm.DB) *gorm.DB,
	fn func(st *models.PledgeState, storedNextDue models.Date) error) error {
	const batch = 2000
	var after int64
	for {
		var rows []pledgeRow
		q := pledgeQuery(db).Where("pledges.id > ?", after)
		if where != nil {
			q = where(q)
		}
		if err := q.Order("pledges.id").Limit(batch).Find(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		hi := rows[len(rows)-1].ID
		var items []struct {
			Kind     string
			ID       int64
			PledgeID int64
			D1, D2   string
			A, B     int64
		}
		// Only the batch's pledges: a filtered batch (a fund's) may be spread
		// over the whole id range.
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		if err := db.Raw(`SELECT 'c' AS kind, id, pledge_id, received_on AS d1, void_day AS d2, amount_minor AS a, 0 AS b
			FROM contributions WHERE pledge_id IN ?
			UNION ALL SELECT 'i', i.seq, i.pledge_id, i.due_on, '', i.amount_minor, i.written_off_minor FROM pledge_instalments i
			JOIN pledges p ON p.id = i.pledge_id AND p.schedule_version = i.version WHERE i.pledge_id IN ?
			UNION ALL SELECT 'w', id, pledge_id, day, '', amount_minor, 0 FROM pledge_write_offs WHERE pledge_id IN ?
			ORDER BY pledge_id, kind, id`, ids, ids, ids).Scan(&items).Error; err != nil {
			return err
		}
		i := 0
		for _, r := range rows {
			st := &models.PledgeState{Pledge: r.model(today)}
			places := models.MinorUnits(r.Currency)
			for ; i < len(items) && items[i].PledgeID <= r.ID; i++ {
				it := items[i]
				if it.PledgeID != r.ID {
					continue
				}
				switch it.Kind {
				case "c":
					st.Payments = append(st.Payments, models.Payment{ContributionID: it.ID, ReceivedOn: models.Date(it.D1),
						VoidDay: models.Date(it.D2), Amount: models.FromMinor(it.A, places)})
				case "i":
					st.Pledge.Schedule = append(st.Pledge.Schedule, models.ScheduleRow{Seq: int(it.ID), DueOn: models.Date(it.D1),
						Amount: models.FromMinor(it.A, places), WrittenOff: models.FromMinor(it.B, places)})
				case "w":
					st.WriteOffs = append(st.WriteOffs, models.PledgeWriteOff{Day: models.Date(it.D1), Amount: models.FromMinor(it.A, places)})
				}
			}
			st.Pledge.Derive(today)
			if err := fn(st, models.Date(r.NextDueOn)); err != nil {
				return err
			}
		}
		after = hi
	}
}

// AggregateSnapshot lists every aggregate row with a non-zero figure, and
// every pledge's paid amount, as sorted text lines: two snapshots are equal
// when the aggregates are.
func (s *Store) AggregateSnapshot(ctx context.Context) ([]string, error) {
	queries := []string{
		`SELECT 'fund', fund_id, paid_cents, outstanding_cents, paid_unearmarked_cents, contribution_count, donor_count FROM fund_totals`,
		`SELECT 'day', fund_id, day, paid_cents, outstanding_cents, paid_unearmarked_cents, contribution_count,
			timeline_paid_cents, timeline_outstanding_cents FROM fund_day_totals
			WHERE paid_cents <> 0 OR outstanding_cents <> 0 OR paid_unearmarked_cents <> 0 OR contribution_count <> 0
			OR timeline_paid_cents <> 0 OR timeline_outstanding_cents <> 0`,
		`SELECT 'donor', fund_id, donor_id, paid_cents, outstanding_cents, live_records FROM fund_donor_totals
			WHERE paid_cents <> 0 OR outstanding_cents <> 0 OR live_records <> 0`,
		`SELECT 'donorday', fund_id, donor_id, day, live_records FROM fund_donor_day_totals WHERE live_records <> 0`,
		`SELECT 'currency', fund_id, currency, paid_minor, paid_cents, outstanding_minor, outstanding_cents FROM fund_currency_totals
			WHERE paid_minor <> 0 OR paid_cents <> 0 OR outstanding_minor <> 0 OR outstanding_cents <> 0`,
		`SELECT 'pledge', id, paid_minor, written_off_minor, written_off_usd_cents, next_due_on FROM pledges`,
	}
	var lines []string
	for _, q := range queries {
		rows, err := s.w.WithContext(ctx).Raw(q).Rows()
		if err != nil {
			return nil, err
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, err
			}
			parts := make([]string, len(vals))
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				parts[i] = fmt.Sprint(v)
			}
			lines = append(lines, strings.Join(parts, " "))
		}
		rows.Close()
	}
	sort.Strings(lines)
	return lines, nil
}

// Tables lists every table of the ledger, parents before children.
var Tables = []string{"users", "tokens", "login_throttles", "funds", "donors", "exchange_rates", "pledges", "contributions",
	"pledge_instalments", "pledge_write_offs", "reminders", "fund_totals", "fund_day_totals", "fund_donor_totals", "fund_donor_day_totals", "fund_currency_totals",
	"idempotency_keys", "audit_events"}

// TableCounts counts the rows of every table.
func (s *Store) TableCounts(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	for _, t := range Tables {
		var n int64
		if err := s.r.WithContext(ctx).Table(t).Count(&n).Error; err != nil {
			return nil, err
		}
		out[t] = n
	}
	return out, nil
}
