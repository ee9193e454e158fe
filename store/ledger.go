package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

// The ledger's writes go load, decide, apply (docs/architecture.md): the
// load* functions read in one place what a decision needs, models.Decide*
// decides without a database, and apply* writes the records and each
// aggregate row once. They run on database/sql statements prepared once on
// the writer's pool, so that SQLite parses the hot path's SQL once, not on
// every request (database/sql reuses a statement prepared on the pool inside
// a transaction on the same connection).

// Statements of the hot path, written with ? and rebound for PostgreSQL.
const (
	sqlIdemGet = `SELECT fingerprint, status, response FROM idempotency_keys WHERE user_id = ? AND key = ?`
	sqlIdemPut = `INSERT INTO idempotency_keys (user_id, key, fingerprint, status, response, created_at) VALUES (?, ?, ?, ?, ?, ?)`
	sqlAudit   = `INSERT INTO audit_events (at, actor_id, actor, source_ip, action, entity, entity_id, before, after)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// A pledge with its fund's code, its donor's name, when its rate took
	// effect (issue 14), and what bears on it (issue 11), one row each: its
	// payments (c), its current schedule's instalments (i) and its
	// write-offs (w), in one statement.
	sqlPledgeLoad = `SELECT p.id, p.fund_id, p.donor_id, p.amount_minor, p.currency, p.exchange_rate, p.amount_usd_cents,
		p.paid_minor, p.written_off_minor, p.written_off_usd_cents, p.schedule_version, p.next_due_on, p.pledged_on, p.due_on, p.stage, p.earmarking,
		p.reference, p.notes, p.cancelled_at, p.cancel_reason,
		p.cancelled_by, p.created_at, p.created_by, p.updated_at, f.code, d.name, (SELECT MAX(r.effective_on) FROM exchange_rates r
		WHERE r.currency = p.currency AND r.effective_on <= p.pledged_on AND r.units_per_usd = p.exchange_rate),
		x.kind, x.id, x.d1, x.d2, x.a, x.b
		FROM pledges p JOIN funds f ON f.id = p.fund_id JOIN donors d ON d.id = p.donor_id
		LEFT JOIN (SELECT 'c' AS kind, id, received_on AS d1, void_day AS d2, amount_minor AS a, 0 AS b FROM contributions WHERE pledge_id = ?
		UNION ALL SELECT 'i', seq, due_on, '', amount_minor, written_off_minor FROM pledge_instalments
			WHERE pledge_id = ? AND version = (SELECT schedule_version FROM pledges WHERE id = ?)
		UNION ALL SELECT 'w', id, day, '', amount_minor, 0 FROM pledge_write_offs WHERE pledge_id = ?) x ON 1 = 1
		WHERE p.id = ? ORDER BY x.kind, x.id`
	sqlContributionLoad = `SELECT c.id, c.fund_id, c.donor_id, c.pledge_id, c.amount_minor, c.currency, c.exchange_rate,
		c.amount_usd_cents, c.received_on, c.earmarking, c.reference, c.notes, c.voided_at, c.void_reason, c.voided_by,
		c.created_at, c.created_by, f.code, d.name, (SELECT MAX(r.effective_on) FROM exchange_rates r
		WHERE r.currency = c.currency AND r.effective_on <= c.received_on AND r.units_per_usd = c.exchange_rate)
		FROM contributions c JOIN funds f ON f.id = c.fund_id
		JOIN donors d ON d.id = c.donor_id WHERE c.id = ?`
	// What a new record's decision reads besides its pledge: the fund's code,
	// the donor's name and whom it was merged into (issue 14), the rate in
	// force and since when, and the totals it may take past their bound.
	sqlContext = `SELECT (SELECT code FROM funds WHERE id = ?), (SELECT name FROM donors WHERE id = ?),
		(SELECT merged_into FROM donors WHERE id = ?),
		(SELECT units_per_usd FROM exchange_rates WHERE currency = ? AND effective_on <= ? ORDER BY effective_on DESC LIMIT 1),
		(SELECT MAX(effective_on) FROM exchange_rates WHERE currency = ? AND effective_on <= ?),
		COALESCE((SELECT paid_cents FROM fund_totals WHERE fund_id = ?), 0),
		COALESCE((SELECT outstanding_cents FROM fund_totals WHERE fund_id = ?), 0),
		COALESCE((SELECT paid_cents FROM fund_donor_totals WHERE fund_id = ? AND donor_id = ?), 0),
		COALESCE((SELECT outstanding_cents FROM fund_donor_totals WHERE fund_id = ? AND donor_id = ?), 0),
		COALESCE((SELECT paid_minor FROM fund_currency_totals WHERE fund_id = ? AND currency = ?), 0),
		COALESCE((SELECT paid_cents FROM fund_currency_totals WHERE fund_id = ? AND currency = ?), 0),
		COALESCE((SELECT outstanding_minor FROM fund_currency_totals WHERE fund_id = ? AND currency = ?), 0),
		COALESCE((SELECT outstanding_cents FROM fund_currency_totals WHERE fund_id = ? AND currency = ?), 0)`
	sqlContributionPut = `INSERT INTO contributions (fund_id, donor_id, pledge_id, amount_minor, currency, exchange_rate,
		amount_usd_cents, received_on, earmarking, reference, notes, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	sqlContributionVoid = `UPDATE contributions SET voided_at = ?, void_day = ?, void_reason = ?, voided_by = ? WHERE id = ?`
	sqlPledgePut        = `INSERT INTO pledges (fund_id, donor_id, amount_minor, currency, exchange_rate, amount_usd_cents,
		paid_minor, pledged_on, due_on, stage, earmarking, reference, notes, created_at, created_by, updated_at, next_due_on)
		VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	sqlInstalmentPut = `INSERT INTO pledge_instalments (pledge_id, version, seq, due_on, amount_minor, written_off_minor)
		VALUES (?, ?, ?, ?, ?, ?)`
	sqlInstalmentSet = `UPDATE pledge_instalments SET due_on = ?, amount_minor = ?, written_off_minor = ?
		WHERE pledge_id = ? AND version = (SELECT schedule_version FROM pledges WHERE id = ?) AND seq = ?`
	// One statement writes every field a pledge's writes change (payments, cancel, patch).
	sqlPledgeSet = `UPDATE pledges SET amount_minor = ?, amount_usd_cents = ?, paid_minor = ?, due_on = ?, stage = ?, earmarking = ?, reference = ?, notes = ?,
		cancelled_at = ?, cancel_day = ?, cancel_reason = ?, cancelled_by = ?, updated_at = ?, written_off_minor = ?, written_off_usd_cents = ?, next_due_on = ? WHERE id = ?`
	sqlFundBump = `UPDATE fund_totals SET paid_cents = paid_cents + ?, outstanding_cents = outstanding_cents + ?,
		paid_unearmarked_cents = paid_unearmarked_cents + ?, contribution_count = contribution_count + ?,
		donor_count = donor_count + ? WHERE fund_id = ?`
	sqlDayBump = `INSERT INTO fund_day_totals (fund_id, day, paid_cents, outstanding_cents, paid_unearmarked_cents, contribution_count,
		timeline_paid_cents, timeline_outstanding_cents) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (fund_id, day) DO UPDATE SET paid_cents = fund_day_totals.paid_cents + excluded.paid_cents,
		outstanding_cents = fund_day_totals.outstanding_cents + excluded.outstanding_cents,
		paid_unearmarked_cents = fund_day_totals.paid_unearmarked_cents + excluded.paid_unearmarked_cents,
		contribution_count = fund_day_totals.contribution_count + excluded.contribution_count,
		timeline_paid_cents = fund_day_totals.timeline_paid_cents + excluded.timeline_paid_cents,
		timeline_outstanding_cents = fund_day_totals.timeline_outstanding_cents + excluded.timeline_outstanding_cents`
	sqlDonorBump = `INSERT INTO fund_donor_totals (fund_id, donor_id, paid_cents, outstanding_cents, live_records) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (fund_id, donor_id) DO UPDATE SET paid_cents = fund_donor_totals.paid_cents + excluded.paid_cents,
		outstanding_cents = fund_donor_totals.outstanding_cents + excluded.outstanding_cents,
		live_records = fund_donor_totals.live_records + excluded.live_records
		RETURNING live_records`
	sqlDonorDayBump = `INSERT INTO fund_donor_day_totals (fund_id, donor_id, day, live_records) VALUES (?, ?, ?, ?)
		ON CONFLICT (fund_id, donor_id, day) DO UPDATE SET live_records = fund_donor_day_totals.live_records + excluded.live_records`
	sqlCurrencyBump = `INSERT INTO fund_currency_totals (fund_id, currency, paid_minor, paid_cents, outstanding_minor, outstanding_cents)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (fund_id, currency) DO UPDATE SET paid_minor = fund_currency_totals.paid_minor + excluded.paid_minor,
		paid_cents = fund_currency_totals.paid_cents + excluded.paid_cents,
		outstanding_minor = fund_currency_totals.outstanding_minor + excluded.outstanding_minor,
		outstanding_cents = fund_currency_totals.outstanding_cents + excluded.outstanding_cents`
)

// sqlCommitment reads whether a fund requires an agreement for commitments
// and how many live agreements a pledge has (issue 16; documents.go).
const sqlCommitment = `SELECT COALESCE((SELECT require_agreement_for_commitment FROM funds WHERE id = ?), false),
	(SELECT COUNT(*) FROM documents WHERE record_type = ? AND record_id = ? AND kind = ? AND superseded_at IS NULL AND complete = ?)`

var hotStatements = []string{sqlPledgeLock, sqlCommitment, sqlIdemGet, sqlIdemPut, sqlAudit, sqlPledgeLoad, sqlContributionLoad, sqlContext,
	sqlContributionPut, sqlContributionVoid, sqlPledgePut, sqlInstalmentPut, sqlInstalmentSet, sqlPledgeSet, sqlFundBump, sqlDayBump, sqlDonorBump,
	sqlDonorDayBump, sqlCurrencyBump}

// sqlPledgeLock takes a pledge's row lock on PostgreSQL before sqlPledgeLoad
// reads it. It must be a statement of its own: under READ COMMITTED, a
// statement that waited for a row lock re-reads the locked row but reads
// every other table (the pledge's payments, schedule, write-offs) as of its
// start, before the write it waited for committed; the next statement takes
// a new snapshot. (SQLite has one writer: no lock to take.)
const sqlPledgeLock = `SELECT id FROM pledges WHERE id = ?`

// lockOf names the table whose rows a statement locks.
var lockOf = map[string]string{sqlPledgeLock: "pledges", sqlContributionLoad: "c"}

// prepared are the hot path's statements, prepared on the writer's pool when
// the store opens (a statement cannot be prepared on SQLite's single writer
// connection while a transaction holds it).
type prepared map[string]*sql.Stmt

func prepare(ctx context.Context, db *sql.DB, d dialect) (prepared, error) {
	p := prepared{}
	for _, q := range hotStatements {
		st, err := db.PrepareContext(ctx, d.lockFor(q, lockOf[q]))
		if err != nil {
			p.close()
			return nil, fmt.Errorf("prepare %.40s: %w", q, err)
		}
		p[q] = st
	}
	return p, nil
}

func (p prepared) close() {
	for _, st := range p {
		st.Close()
	}
}

// ltx is a write transaction as the ledger code uses it: the database/sql
// transaction under GORM's, and the statements prepared for it.
type ltx struct {
	ctx   context.Context
	tx    *sql.Tx
	stmts prepared
	now   time.Time
	// db is GORM's handle on the same transaction, for the loads and writes
	// of the colder paths (a merge) that have no prepared statement.
	db *gorm.DB
	// translate maps the engine's errors to GORM's (gorm.ErrDuplicatedKey, ...).
	translate func(error) error
	// lockRows says the engine has row locks (PostgreSQL) and this is a write
	// transaction: loadPledge takes the pledge's lock first (sqlPledgeLock).
	lockRows bool
	// bound are the statements bound to this transaction, once each: every
	// Tx.StmtContext allocates one the transaction keeps until it ends. A
	// read snapshot's ltx (a dry run's) has its own prepared here.
	bound map[string]*sql.Stmt
}

// isDuplicate reports a unique violation, as GORM's error translation names it.
func (t *ltx) isDuplicate(err error) bool {
	return errors.Is(err, gorm.ErrDuplicatedKey) || errors.Is(t.translate(err), gorm.ErrDuplicatedKey)
}

// ledger returns the database/sql transaction under a write transaction.
// The writer's GORM handle runs without GORM's prepared-statement cache, so
// the transaction's connection pool is database/sql's own *sql.Tx.
func (s *Store) ledger(tx *gorm.DB) (*ltx, error) {
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok || s.stmts == nil {
		return nil, errors.New("store: ledger write outside a write transaction")
	}
	ctx := tx.Statement.Context
	if ctx == nil {
		ctx = context.Background()
	}
	t := &ltx{ctx: ctx, tx: sqlTx, stmts: s.stmts, now: s.now(), db: tx, translate: func(err error) error { return err },
		lockRows: s.dialect.name() == "postgres"}
	if tr, ok := tx.Dialector.(gorm.ErrorTranslator); ok {
		t.translate = tr.Translate
	}
	return t, nil
}

// today is the date of the write, by the store's clock.
func (t *ltx) today() models.Date { return models.DateOf(t.now) }

// written is what a ledger write answers and audits.
type written[T any] struct {
	ID        int64
	Before    any // nil for a new record
	After     T
	Unchanged bool // nothing was written: no audit row
	Status    int  // the answer's HTTP status, kept with an Idempotency-Key; 0: 201
	// AuditAfter, when set, is what the audit row keeps as after instead of
	// After (a write-off: the pledge and the write-off record).
	AuditAfter any
}

// ledgerWrite runs one ledger write in the writer: the stored answer when the
// Idempotency-Key was seen, else fn (load, decide, apply), then the audit row
// and the key, all in one transaction.
func ledgerWrite[T any](s *Store, ctx context.Context, a models.Actor, idem Idempotency, action, entity string,
	fn func(t *ltx) (written[T], error)) (T, *Replay, error) {
	var out T
	var rep *Replay
	err := s.writer.do(ctx, func(tx *gorm.DB) error {
		t, err := s.ledger(tx)
		if err != nil {
			return err
		}
		if rep, err = t.replayed(a, idem); err != nil || rep != nil {
			return err
		}
		w, err := fn(t)
		if err != nil {
			return err
		}
		out = w.After
		if w.Unchanged {
			return nil
		}
		after, err := json.Marshal(w.After) // once, for the audit row and the stored answer
		if err != nil {
			return err
		}
		audited := any(json.RawMessage(after))
		if w.AuditAfter != nil {
			audited = w.AuditAfter
		}
		if err := t.audit(a, action, entity, w.ID, w.Before, audited); err != nil {
			return err
		}
		status := w.Status
		if status == 0 {
			status = 201
		}
		return t.remember(a, idem, status, json.RawMessage(after))
	})
	return out, rep, wrap(action+" "+entity, err)
}

// applyDecided writes what a decision changed: the pledge's new state, when
// there is one, and the aggregates.
func (t *ltx) applyDecided(pledge *models.PledgeState, e models.Effects) error {
	if pledge != nil {
		if err := t.setPledge(pledge.Pledge); err != nil {
			return err
		}
	}
	return t.apply(e)
}

func (t *ltx) stmt(q string) *sql.Stmt {
	if st, ok := t.bound[q]; ok {
		return st
	}
	st := t.tx.StmtContext(t.ctx, t.stmts[q])
	if t.bound == nil {
		t.bound = map[string]*sql.Stmt{}
	}
	t.bound[q] = st
	return st
}

func (t *ltx) exec(q string, args ...any) error {
	_, err := t.stmt(q).ExecContext(t.ctx, args...)
	return err
}

func (t *ltx) row(q string, args ...any) *sql.Row { return t.stmt(q).QueryRowContext(t.ctx, args...) }

// nullable is NULL for a zero value.
func nullable[T comparable](v T) any {
	var zero T
	if v == zero {
		return nil
	}
	return v
}

// loadPledge reads a pledge with its fund's code, its donor's name and the
// payments that bear on it, locking it until the transaction ends on engines
// with row locks.
func (t *ltx) loadPledge(id int64, today models.Date) (*models.PledgeState, error) {
	if t.lockRows {
		var locked int64
		if err := t.row(sqlPledgeLock, id).Scan(&locked); errors.Is(err, sql.ErrNoRows) {
			return nil, notFound("pledge", id)
		} else if err != nil {
			return nil, err
		}
	}
	rows, err := t.stmt(sqlPledgeLoad).QueryContext(t.ctx, id, id, id, id, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var st *models.PledgeState
	var r pledgeRow
	var places int32
	for rows.Next() {
		var cancelled sql.NullTime
		var kind, d1, d2 sql.NullString
		var xid, a, b sql.NullInt64
		if err := rows.Scan(&r.ID, &r.FundID, &r.DonorID, &r.AmountMinor, &r.Currency, &r.ExchangeRate, &r.AmountUSDCents,
			&r.PaidMinor, &r.WrittenOffMinor, &r.WrittenOffUSDCents, &r.ScheduleVersion, &r.NextDueOn, &r.PledgedOn, &r.DueOn, &r.Stage, &r.Earmarking,
			&r.Reference, &r.Notes, &cancelled, &r.CancelReason, &r.CancelledBy, &r.CreatedAt, &r.CreatedBy, &r.UpdatedAt,
			&r.FundCode, &r.DonorName, &r.RateEffectiveOn, &kind, &xid, &d1, &d2, &a, &b); err != nil {
			return nil, err
		}
		if st == nil {
			if cancelled.Valid {
				r.CancelledAt = &cancelled.Time
			}
			st = &models.PledgeState{Pledge: r.model(today)}
			places = models.MinorUnits(r.Currency)
		}
		switch kind.String {
		case "c":
			st.Payments = append(st.Payments, models.Payment{ContributionID: xid.Int64, ReceivedOn: models.Date(d1.String),
				VoidDay: models.Date(d2.String), Amount: models.FromMinor(a.Int64, places)})
		case "i":
			st.Pledge.Schedule = append(st.Pledge.Schedule, models.ScheduleRow{Seq: int(xid.Int64), DueOn: models.Date(d1.String),
				Amount: models.FromMinor(a.Int64, places), WrittenOff: models.FromMinor(b.Int64, places)})
		case "w":
			st.WriteOffs = append(st.WriteOffs, models.PledgeWriteOff{Day: models.Date(d1.String), Amount: models.FromMinor(a.Int64, places)})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if st == nil {
		return nil, notFound("pledge", id)
	}
	st.Pledge.Derive(today)
	return st, nil
}

// loadContribution reads a contribution with its fund's code and its donor's name.
func (t *ltx) loadContribution(id int64) (models.Contribution, error) {
	var r contributionRow
	var voided sql.NullTime
	err := t.row(sqlContributionLoad, id).Scan(&r.ID, &r.FundID, &r.DonorID, &r.PledgeID, &r.AmountMinor, &r.Currency,
		&r.ExchangeRate, &r.AmountUSDCents, &r.ReceivedOn, &r.Earmarking, &r.Reference, &r.Notes, &voided, &r.VoidReason,
		&r.VoidedBy, &r.CreatedAt, &r.CreatedBy, &r.FundCode, &r.DonorName, &r.RateEffectiveOn)
	if errors.Is(err, sql.ErrNoRows) {
		return models.Contribution{}, notFound("contribution", id)
	}
	if voided.Valid {
		r.VoidedAt = &voided.Time
	}
	return r.model(), err
}

// loadRecord reads what a new record's decision needs besides its pledge.
func (t *ltx) loadRecord(by string, k models.RecordKeys) (models.RecordLoad, error) {
	ld := models.RecordLoad{Today: t.today(), Now: t.now, By: by}
	var err error
	ld.Parties, ld.Rate, ld.RateOn, ld.Totals, err = t.loadContext(k.FundID, k.DonorID, k.Currency, k.Rate)
	return ld, err
}

func (t *ltx) loadContext(fundID, donorID int64, currency string, rate models.RateKey) (models.Parties, *models.Rate, models.Date, models.CurrentTotals, error) {
	var fund, donor, units, rateOn sql.NullString
	var mergedInto sql.NullInt64
	var ft, dt models.FundTotal
	var ct models.CurrencyTotal
	err := t.row(sqlContext, fundID, donorID, donorID, rate.Currency, string(rate.Day), rate.Currency, string(rate.Day), fundID, fundID, fundID, donorID, fundID, donorID,
		fundID, currency, fundID, currency, fundID, currency, fundID, currency).Scan(&fund, &donor, &mergedInto, &units, &rateOn,
		&ft.Paid, &ft.Outstanding, &dt.Paid, &dt.Outstanding, &ct.PaidMinor, &ct.PaidCents, &ct.OutstandingMinor, &ct.OutstandingCents)
	if err != nil {
		return models.Parties{}, nil, "", models.CurrentTotals{}, err
	}
	var pt models.Parties
	if fund.Valid {
		pt.FundCode = &fund.String
	}
	if donor.Valid {
		pt.DonorName = &donor.String
	}
	if mergedInto.Valid {
		pt.DonorMergedInto = &mergedInto.Int64
	}
	var r *models.Rate
	if units.Valid && rate.Currency != "" {
		parsed, err := models.ParseRate(units.String)
		if err != nil {
			return pt, nil, "", models.CurrentTotals{}, err
		}
		r = &parsed
	}
	totals := models.CurrentTotals{Funds: map[int64]models.FundTotal{fundID: ft},
		Donors:     map[models.FundDonor]models.FundTotal{{FundID: fundID, DonorID: donorID}: dt},
		Currencies: map[models.FundCurrency]models.CurrencyTotal{{FundID: fundID, Currency: currency}: ct}}
	return pt, r, models.Date(rateOn.String), totals, nil
}

// insertPledge writes a new pledge and its schedule (version 1), and returns its id.
func (t *ltx) insertPledge(pl models.Pledge) (int64, error) {
	var id int64
	if err := t.row(sqlPledgePut, pl.FundID, pl.DonorID, models.ToMinor(pl.Amount.Amount, pl.Amount.Places), pl.Currency,
		pl.ExchangeRate.String(), models.ToMinor(pl.AmountUSD.Amount, 2), string(pl.PledgedOn), string(pl.DueOn), pl.Stage,
		pl.Earmarking, pl.Reference, pl.Notes, pl.CreatedAt, pl.CreatedBy, pl.UpdatedAt, string(pl.NextDueOn)).Scan(&id); err != nil {
		return 0, err
	}
	rows := pl.Schedule
	if rows == nil {
		rows = models.SingleInstalment(pl.Amount.Amount, pl.DueOn)
	}
	return id, t.putSchedule(id, 1, pl.Currency, rows)
}

// putSchedule writes a version of a pledge's schedule.
func (t *ltx) putSchedule(pledgeID int64, version int, currency string, rows []models.ScheduleRow) error {
	places := models.MinorUnits(currency)
	for _, r := range rows {
		if err := t.exec(sqlInstalmentPut, pledgeID, version, r.Seq, string(r.DueOn), models.ToMinor(r.Amount, places),
			models.ToMinor(r.WrittenOff, places)); err != nil {
			return err
		}
	}
	return nil
}

// syncSchedule writes the instalments a decision changed in place (a new
// amount or due date on the last one, a write-off): rows are matched by seq.
func (t *ltx) syncSchedule(before, after models.Pledge) error {
	places := models.MinorUnits(after.Currency)
	for i, r := range after.Schedule {
		if i < len(before.Schedule) {
			b := before.Schedule[i]
			if b.Seq == r.Seq && b.DueOn == r.DueOn && b.Amount.Equal(r.Amount) && b.WrittenOff.Equal(r.WrittenOff) {
				continue
			}
		}
		if err := t.exec(sqlInstalmentSet, string(r.DueOn), models.ToMinor(r.Amount, places), models.ToMinor(r.WrittenOff, places),
			after.ID, after.ID, r.Seq); err != nil {
			return err
		}
	}
	return nil
}

// setPledge writes a pledge's changeable fields as decided.
func (t *ltx) setPledge(p models.Pledge) error {
	var cancelDay string
	if p.CancelledAt != nil {
		cancelDay = string(models.DateOf(*p.CancelledAt))
	}
	return t.exec(sqlPledgeSet, models.ToMinor(p.Amount.Amount, p.Amount.Places), models.ToMinor(p.AmountUSD.Amount, 2),
		models.ToMinor(p.Paid.Amount, p.Paid.Places), string(p.DueOn), p.Stage, p.Earmarking,
		p.Reference, p.Notes, p.CancelledAt, cancelDay, p.CancelReason, p.CancelledBy, p.UpdatedAt,
		models.ToMinor(p.WrittenOff.Amount, models.MinorUnits(p.Currency)), models.ToMinor(p.WrittenOffUSD.Amount, 2), string(p.NextDueOn), p.ID)
}

// apply writes the aggregates' changes, each row once, in a fixed order of
// rows (so that PostgreSQL's row locks are always taken in the same order).
// A fund's donor count follows its donors whose live records go from none to
// some, or back, as the donor rows answer after their change.
func (t *ltx) apply(e models.Effects) error {
	err := t.applyRows(e)
	if err != nil && errors.Is(t.translate(err), gorm.ErrCheckConstraintViolated) {
		// A concurrent write took a total near its bound after this one was decided (PostgreSQL's checks).
		return models.FieldError("amount", "would take a total of the fund past 10^15 USD")
	}
	return err
}

func (t *ltx) applyRows(e models.Effects) error {
	donorCount := map[int64]int64{}
	for _, k := range models.SortedKeys(e.Donors, func(a, b models.FundDonor) bool {
		return a.FundID < b.FundID || a.FundID == b.FundID && a.DonorID < b.DonorID
	}) {
		d := e.Donors[k]
		var after int64
		if err := t.row(sqlDonorBump, k.FundID, k.DonorID, d.Paid, d.Outstanding, d.Live).Scan(&after); err != nil {
			return err
		}
		switch before := after - d.Live; {
		case before <= 0 && after > 0:
			donorCount[k.FundID]++
		case before > 0 && after <= 0:
			donorCount[k.FundID]--
		}
	}
	for _, k := range models.SortedKeys(e.DonorDays, func(a, b models.FundDonorDay) bool {
		return a.FundID < b.FundID || a.FundID == b.FundID && (a.DonorID < b.DonorID || a.DonorID == b.DonorID && a.Day < b.Day)
	}) {
		if err := t.exec(sqlDonorDayBump, k.FundID, k.DonorID, string(k.Day), e.DonorDays[k]); err != nil {
			return err
		}
	}
	for _, k := range models.SortedKeys(e.Currencies, func(a, b models.FundCurrency) bool {
		return a.FundID < b.FundID || a.FundID == b.FundID && a.Currency < b.Currency
	}) {
		d := e.Currencies[k]
		if err := t.exec(sqlCurrencyBump, k.FundID, k.Currency, d.PaidMinor, d.PaidCents, d.OutstandingMinor, d.OutstandingCents); err != nil {
			return err
		}
	}
	for _, k := range models.SortedKeys(e.FundDays, func(a, b models.FundDay) bool {
		return a.FundID < b.FundID || a.FundID == b.FundID && a.Day < b.Day
	}) {
		d := e.FundDays[k]
		if err := t.exec(sqlDayBump, k.FundID, string(k.Day), d.Paid, d.Outstanding, d.Unearmarked, d.Count,
			d.TimelinePaid, d.TimelineOutstanding); err != nil {
			return err
		}
	}
	return t.applyFunds(e.Funds, donorCount)
}

// applyFunds writes the funds' totals, each fund's donor count moved as its
// donors' live records went (donorCount), in the order of the funds' ids.
func (t *ltx) applyFunds(funds map[int64]models.FundDelta, donorCount map[int64]int64) error {
	for id := range donorCount {
		if _, ok := funds[id]; !ok {
			funds = copyWith(funds, id)
		}
	}
	for _, id := range models.SortedKeys(funds, func(a, b int64) bool { return a < b }) {
		d := funds[id]
		if err := t.exec(sqlFundBump, d.Paid, d.Outstanding, d.Unearmarked, d.Count, donorCount[id], id); err != nil {
			return err
		}
	}
	return nil
}

func copyWith(m map[int64]models.FundDelta, id int64) map[int64]models.FundDelta {
	out := map[int64]models.FundDelta{id: {}}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// rebind turns ? placeholders into PostgreSQL's $1, $2, ...
func rebind(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
