package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

// replayed looks up an idempotency key: the stored answer when the same key
// came with the same request, a conflict when it came with another.
func (s *Store) replayed(tx *gorm.DB, a models.Actor, idem Idempotency) (*Replay, error) {
	if idem.Key == "" {
		return nil, nil
	}
	t, err := s.ledger(tx)
	if err != nil {
		return nil, err
	}
	return t.replayed(a, idem)
}

func (t *ltx) replayed(a models.Actor, idem Idempotency) (*Replay, error) {
	if idem.Key == "" {
		return nil, nil
	}
	var fingerprint, body string
	var status int
	err := t.row(sqlIdemGet, a.UserID, idem.Key).Scan(&fingerprint, &status, &body)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, err
	case fingerprint != idem.Fingerprint:
		return nil, models.Errorf(models.ECONFLICT, "Idempotency-Key %q was already used with a different request.", idem.Key)
	}
	return &Replay{Status: status, Body: []byte(body)}, nil
}

// remember stores the answer to an idempotent request in the transaction that
// made it, so that the row and its key commit or roll back together.
func (s *Store) remember(tx *gorm.DB, a models.Actor, idem Idempotency, status int, v any) error {
	if idem.Key == "" {
		return nil
	}
	t, err := s.ledger(tx)
	if err != nil {
		return err
	}
	return t.remember(a, idem, status, v)
}

func (t *ltx) remember(a models.Actor, idem Idempotency, status int, v any) error {
	if idem.Key == "" {
		return nil
	}
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	err = t.exec(sqlIdemPut, a.UserID, idem.Key, idem.Fingerprint, status, string(body), t.now)
	if err != nil && t.isDuplicate(err) {
		// Another instance committed the same key meanwhile: run again, to replay its answer.
		return fmt.Errorf("%w: idempotency key raced: %v", errRetry, err)
	}
	return err
}

// PurgeIdempotencyKeys deletes users' keys older than the given age (kept at
// least 24h). System keys (user 0: the seed's) are kept, so that seeding stays
// idempotent however long after the first run it is repeated.
func (s *Store) PurgeIdempotencyKeys(ctx context.Context, olderThanHours int) (int64, error) {
	if olderThanHours < 24 {
		olderThanHours = 24
	}
	var n int64
	err := s.writer.do(ctx, func(tx *gorm.DB) error {
		res := tx.Where("user_id <> 0 AND created_at < ?", s.now().Add(-hours(olderThanHours))).Delete(&idempotencyRow{})
		n = res.RowsAffected
		return res.Error
	})
	return n, err
}

// audit records a change in the same transaction as the change.
func (s *Store) audit(tx *gorm.DB, a models.Actor, action, entity string, id int64, before, after any) error {
	t, err := s.ledger(tx)
	if err != nil {
		return err
	}
	return t.audit(a, action, entity, id, before, after)
}

func (t *ltx) audit(a models.Actor, action, entity string, id int64, before, after any) error {
	actor := a.Email
	if actor == "" {
		actor = "system"
	}
	b, err := jsonText(before)
	if err != nil {
		return err
	}
	af, err := jsonText(after)
	if err != nil {
		return err
	}
	return t.exec(sqlAudit, t.now, nullable(a.UserID), actor, a.SourceIP, action, entity, nullable(id), b, af)
}

func jsonText(v any) (*string, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	s := string(b)
	return &s, nil
}

// Audit lists the audit trail, newest first.
func (s *Store) Audit(ctx context.Context, f AuditFilter, pg models.PageRequest) (models.Page[models.AuditEvent], error) {
	q := s.r.WithContext(ctx).Model(&auditRow{})
	f.Entity, f.Action = sqlSafe(f.Entity), sqlSafe(f.Action) // no entity or action has U+FFFD: such a filter matches nothing
	if f.Entity != "" {
		q = q.Where("entity = ?", f.Entity)
	}
	if f.EntityID != 0 {
		q = q.Where("entity_id = ?", f.EntityID)
	}
	if f.ActorID != 0 {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.From != "" {
		q = q.Where("at >= ?", mustDay(f.From))
	}
	if f.To != "" {
		q = q.Where("at < ?", mustDay(f.To).AddDate(0, 0, 1))
	}
	return listPage(q, "id", pg, auditRow.model, func(e models.AuditEvent) int64 { return e.ID })
}

func (r auditRow) model() models.AuditEvent {
	return models.AuditEvent{ID: r.ID, At: r.At.UTC(), Actor: r.Actor, ActorID: r.ActorID, SourceIP: r.SourceIP,
		Action: r.Action, Entity: r.Entity, EntityID: r.EntityID, Before: rawJSON(r.Before), After: rawJSON(r.After)}
}

func rawJSON(s *string) any {
	if s == nil {
		return nil
	}
	return json.RawMessage(*s)
}

// withParties queries a table's rows with the code of the fund and the name
// of the donor each names (and the extra columns of the fund or donor given).
func withParties(db *gorm.DB, table, extra string) *gorm.DB {
	return db.Table(table).Select(table + ".*, funds.code AS fund_code, donors.name AS donor_name" + extra).
		Joins("JOIN funds ON funds.id = " + table + ".fund_id").Joins("JOIN donors ON donors.id = " + table + ".donor_id")
}

// listPage reads a page of rows, newest first by idColumn, as models.
func listPage[R, M any](q *gorm.DB, idColumn string, pg models.PageRequest, model func(R) M, id func(M) int64) (models.Page[M], error) {
	out, err := readRows(pageQuery(q, idColumn, pg), model)
	return models.NewPage(out, pg.Limit, id), err
}

// readRows reads a query's rows as models.
func readRows[R, M any](q *gorm.DB, model func(R) M) ([]M, error) {
	var rows []R
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]M, len(rows))
	for i, r := range rows {
		out[i] = model(r)
	}
	return out, nil
}

// takeByID reads the row with an id, a 404 naming what when there is none.
func takeByID[R any](q *gorm.DB, idColumn, what string, id int64) (R, error) {
	var row R
	err := q.Where(idColumn+" = ?", id).Take(&row).Error
	if isNotFound(err) {
		return row, notFound(what, id)
	}
	return row, err
}

// pageQuery orders newest first by an id column and fetches one row more than
// the page, so that NewPage can tell whether there is a next page.
func pageQuery(q *gorm.DB, idColumn string, pg models.PageRequest) *gorm.DB {
	if pg.After > 0 {
		q = q.Where(idColumn+" < ?", pg.After)
	}
	return q.Order(idColumn + " DESC").Limit(pg.Limit + 1)
}

// sqlSafe replaces what PostgreSQL refuses in text (NUL bytes, invalid UTF-8)
// with U+FFFD; SQLite takes both. No stored text has either (input text is
// validated), so a lookup by a text that is not sqlSafe matches nothing, on
// either engine, without asking the database.
func sqlSafe(s string) string {
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", "\uFFFD"), "\uFFFD")
}

// notFound is the error for an id that names nothing.
func notFound(what string, id any) error {
	return models.Errorf(models.ENOTFOUND, "No %s with id %v.", what, id)
}

// isNotFound reports a lookup that found no row.
func isNotFound(err error) bool { return errors.Is(err, gorm.ErrRecordNotFound) }

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	var me *models.Error
	if errors.As(err, &me) {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}
