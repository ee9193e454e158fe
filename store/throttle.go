package store

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

// A refused login writes nothing (issue 10). While an account or an address
// is locked, Login answers 429 after one read, and the refusal is only
// counted here, in memory; when the lock ends, PurgeLoginThrottles writes one
// "login_refused" audit event per locked key with how many were refused. A
// flood of guesses therefore costs a bounded number of rows: the failures
// before the lock, one "login_throttled" event when it starts, one
// "login_refused" when it ends. (Counts not yet written are lost if the
// process dies; the lock itself is in the database, shared by instances.)
type refusals struct {
	mu sync.Mutex
	m  map[string]*refusal // by key and lock end
}

func newRefusals() *refusals { return &refusals{m: map[string]*refusal{}} }

type refusal struct {
	Key         string    `json:"key"`
	Refused     int       `json:"refused"`
	First       time.Time `json:"first_at"`
	Last        time.Time `json:"last_at"`
	LockedUntil time.Time `json:"locked_until"`
	email, ip   string
}

// note counts one refused attempt against each locked key, per lock.
func (r *refusals) note(locked map[string]time.Time, email, ip string, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for key, until := range locked {
		id := key + "|" + until.UTC().Format(time.RFC3339Nano)
		e := r.m[id]
		if e == nil {
			e = &refusal{Key: key, First: now, LockedUntil: until.UTC(), email: email, ip: ip}
			r.m[id] = e
		}
		e.Refused++
		e.Last = now
	}
}

// put puts counts back (their audit event could not be written).
func (r *refusals) put(es []*refusal) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range es {
		id := e.Key + "|" + e.LockedUntil.Format(time.RFC3339Nano)
		if cur := r.m[id]; cur != nil {
			cur.Refused += e.Refused
			cur.First = e.First
		} else {
			r.m[id] = e
		}
	}
}

// ended takes out the counts of locks that ended by now (all of them when all is set).
func (r *refusals) ended(now time.Time, all bool) []*refusal {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*refusal
	for k, e := range r.m {
		if all || !e.LockedUntil.After(now) {
			out = append(out, e)
			delete(r.m, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].First.Before(out[j].First) })
	return out
}

// lockedKeys reads, without writing, which of the keys are locked now.
func (s *Store) lockedKeys(ctx context.Context, keys []throttleKey) (map[string]time.Time, error) {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.key
	}
	var rows []struct {
		Key         string
		LockedUntil time.Time
	}
	err := s.r.WithContext(ctx).Table("login_throttles").Select("key, locked_until").
		Where("key IN ? AND locked_until > ?", names, s.now()).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	out := make(map[string]time.Time, len(rows))
	for _, r := range rows {
		out[r.Key] = r.LockedUntil
	}
	return out, nil
}

// throttled is the 429 of a login while a key is locked until then.
func (s *Store) throttled(until time.Time) error {
	e := models.Errorf(models.ERATELIMITED, "Too many failed logins: try again after %s.", until.UTC().Format(time.RFC3339))
	e.RetryAfter = int(until.Sub(s.now()).Seconds()) + 1
	return e
}

// PurgeLoginThrottles writes one coalesced "login_refused" audit event per
// lock that has ended (every counted lock when flush is set, at shutdown),
// and deletes the throttle rows whose window and lock are over. It answers
// how many rows it deleted.
func (s *Store) PurgeLoginThrottles(ctx context.Context, flush bool) (int64, error) {
	now := s.now()
	done := s.refused.ended(now, flush)
	var n int64
	err := s.writer.do(ctx, func(tx *gorm.DB) error {
		for _, e := range done {
			a := models.Actor{Email: e.email, SourceIP: e.ip}
			if err := s.audit(tx, a, "login_refused", "session", 0, nil, e); err != nil {
				return err
			}
		}
		res := tx.Exec("DELETE FROM login_throttles WHERE window_start < ? AND (locked_until IS NULL OR locked_until <= ?)",
			now.Add(-ThrottleWindow), now)
		n = res.RowsAffected
		return res.Error
	})
	if err != nil {
		s.refused.put(done) // for the next run
	}
	return n, err
}
