package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

// Idempotency is a client's Idempotency-Key and the fingerprint of its request.
type Idempotency struct {
	Key         string
	Fingerprint string
}

// Replay is the stored answer to a request made again with the same key.
type Replay struct {
	Status int
	Body   []byte
}

// replayed looks up an idempotency key: the stored answer when the same key
// came with the same request, a conflict when it came with another.
func (s *Store) replayed(tx *gorm.DB, a models.Actor, idem Idempotency) (*Replay, error) {
	if idem.Key == "" {
		return nil, nil
	}
	var row idempotencyRow
	err := tx.Where("user_id = ? AND key = ?", a.UserID, idem.Key).Take(&row).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	case row.Fingerprint != idem.Fingerprint:
		return nil, models.Errorf(models.ECONFLICT, "Idempotency-Key %q was already used with a different request.", idem.Key)
	}
	return &Replay{Status: row.Status, Body: []byte(row.Response)}, nil
}

// remember stores the answer to an idempotent request in the transaction that
// made it, so that the row and its key commit or roll back together.
func (s *Store) remember(tx *gorm.DB, a models.Actor, idem Idempotency, status int, v any) error {
	if idem.Key == "" {
		return nil
	}
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	err = tx.Exec("INSERT INTO idempotency_keys (user_id, key, fingerprint, status, response, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		a.UserID, idem.Key, idem.Fingerprint, status, string(body), s.now()).Error
	if err != nil && s.dialect.isUniqueViolation(err) {
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
	row := auditRow{At: s.now(), Actor: a.Email, SourceIP: a.SourceIP, Action: action, Entity: entity}
	if a.UserID != 0 {
		row.ActorID = &a.UserID
	}
	if row.Actor == "" {
		row.Actor = "system"
	}
	if id != 0 {
		row.EntityID = &id
	}
	var err error
	if row.Before, err = jsonText(before); err != nil {
		return err
	}
	if row.After, err = jsonText(after); err != nil {
		return err
	}
	return tx.Exec("INSERT INTO audit_events (at, actor_id, actor, source_ip, action, entity, entity_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		row.At, row.ActorID, row.Actor, row.SourceIP, row.Action, row.Entity, row.EntityID, row.Before, row.After).Error
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

// AuditFilter narrows the audit trail.
type AuditFilter struct {
	Entity   string
	EntityID int64
	ActorID  int64
	Action   string
	From, To models.Date // on the UTC date of the event
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
	var rows []auditRow
	if err := pageQuery(q, "id", pg).Find(&rows).Error; err != nil {
		return models.Page[models.AuditEvent]{}, err
	}
	events := make([]models.AuditEvent, len(rows))
	for i, r := range rows {
		events[i] = models.AuditEvent{ID: r.ID, At: r.At.UTC(), Actor: r.Actor, ActorID: r.ActorID, SourceIP: r.SourceIP,
			Action: r.Action, Entity: r.Entity, EntityID: r.EntityID, Before: rawJSON(r.Before), After: rawJSON(r.After)}
	}
	return models.NewPage(events, pg.Limit, func(e models.AuditEvent) int64 { return e.ID }), nil
}

func rawJSON(s *string) any {
	if s == nil {
		return nil
	}
	return json.RawMessage(*s)
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

func idString(id int64) string { return strconv.FormatInt(id, 10) }

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
