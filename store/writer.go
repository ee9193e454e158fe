package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"
)

// txFunc is one request's work inside a write transaction. It returns an
// error to have its own changes rolled back; the transaction goes on for others.
type txFunc func(tx *gorm.DB) error

// writer runs write transactions.
type writer interface {
	do(ctx context.Context, fn txFunc) error
	// doAlone runs fn in a transaction of its own, never grouped with other
	// requests: a large write (an import) that in a group commit's savepoint
	// would have SQLite keep the original of every page it changes in memory
	// (the savepoint's journal) until the transaction ends.
	doAlone(ctx context.Context, fn txFunc) error
	close()
}

// errRolledBack marks a request whose transaction failed as a whole (at
// BEGIN or COMMIT): nothing it wrote is kept.
var errRolledBack = errors.New("store: transaction rolled back")

// errRetry marks a request that lost a race a fresh attempt settles (an
// idempotency key committed by another instance); the PostgreSQL writer runs it again.
var errRetry = errors.New("store: retry")

// batchWriter is SQLite's single writer with group commit: requests queued
// while a transaction commits are written together in the next one, each in
// a savepoint of its own (so a request that fails leaves the others intact),
// and each is answered only after the COMMIT that makes it durable. Every
// rule of the ledger is still checked per request, in order.
type batchWriter struct {
	db    *gorm.DB
	log   *slog.Logger
	queue chan *writeOp
	stop  chan struct{}
	done  sync.WaitGroup
	// mu guards closed: requests are queued under its read lock.
	mu     sync.RWMutex
	closed bool

	// walFull is set when the WAL outgrows what background checkpoints keep up with.
	walFull atomic.Bool
}

type writeOp struct {
	ctx   context.Context
	fn    txFunc
	err   error
	done  chan struct{}
	alone bool // in a transaction of its own, without a savepoint (doAlone)
}

// maxBatch bounds how many requests share one transaction.
const maxBatch = 256

func newBatchWriter(db *gorm.DB, log *slog.Logger) *batchWriter {
	w := &batchWriter{db: db, log: log, queue: make(chan *writeOp, 4096), stop: make(chan struct{})}
	w.done.Add(1)
	go w.loop()
	return w
}

func (w *batchWriter) do(ctx context.Context, fn txFunc) error { return w.queued(ctx, fn, false) }

func (w *batchWriter) doAlone(ctx context.Context, fn txFunc) error { return w.queued(ctx, fn, true) }

func (w *batchWriter) queued(ctx context.Context, fn txFunc, alone bool) error {
	op := &writeOp{ctx: ctx, fn: fn, done: make(chan struct{}), alone: alone}
	// Queued under the read lock: close takes the write lock before it stops
	// the loop, so every request queued is one the loop will still answer.
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return errors.New("store: closed")
	}
	select {
	case w.queue <- op:
	case <-ctx.Done():
		w.mu.RUnlock()
		return ctx.Err()
	}
	w.mu.RUnlock()
	<-op.done // once queued, the outcome is always awaited: it may commit
	return op.err
}

func (w *batchWriter) close() {
	w.mu.Lock()
	already := w.closed
	w.closed = true
	w.mu.Unlock()
	if !already {
		close(w.stop)
	}
	w.done.Wait()
}

func (w *batchWriter) loop() {
	defer w.done.Done()
	batch := make([]*writeOp, 0, maxBatch)
	var next *writeOp // a request to run alone, met while a batch was gathered
	for {
		if next != nil {
			w.commit([]*writeOp{next})
			next = nil
			w.checkpointIfFull()
			continue
		}
		select {
		case op := <-w.queue:
			batch = append(batch[:0], op)
		drain:
			for len(batch) < maxBatch && !op.alone {
				select {
				case o := <-w.queue:
					if o.alone {
						next = o
						break drain
					}
					batch = append(batch, o)
				default:
					break drain
				}
			}
			w.commit(batch)
			w.checkpointIfFull()
		case <-w.stop:
			for {
				select {
				case op := <-w.queue:
					w.commit([]*writeOp{op})
				default:
					return
				}
			}
		}
	}
}

func (w *batchWriter) commit(batch []*writeOp) {
	defer func() {
		for _, op := range batch {
			close(op.done)
		}
	}()
	err := w.run(batch)
	if err == nil {
		return
	}
	if len(batch) == 1 {
		batch[0].err = fmt.Errorf("%w: %v", errRolledBack, err)
		return
	}
	// The COMMIT failed and took every request of the batch with it: run each
	// again in a transaction of its own, so that only the culprit fails.
	w.log.Warn("group commit failed: retrying its requests one by one", "error", err, "requests", len(batch))
	for _, op := range batch {
		op.err = nil
		if err := w.run([]*writeOp{op}); err != nil {
			op.err = fmt.Errorf("%w: %v", errRolledBack, err)
		}
	}
}

// checkpointIfFull finishes a checkpoint on the writer's connection, between
// two batches (the last one is answered), when the background checkpoints
// (checkpoint.go) have not kept up: a PASSIVE checkpoint never completes
// while a writer keeps appending, and the WAL would grow without bound. The
// background ones have already copied most pages, so this one is short.
func (w *batchWriter) checkpointIfFull() {
	if w.walFull.Swap(false) {
		var busy, walPages, copied int
		if err := w.db.Raw("PRAGMA wal_checkpoint(PASSIVE)").Row().Scan(&busy, &walPages, &copied); err != nil {
			w.log.Warn("wal checkpoint failed", "error", err)
		}
	}
}

// run writes a batch in one transaction, each request in a savepoint of its
// own. It returns an error when the transaction as a whole failed; a request
// refused on its own has its error in op.err.
func (w *batchWriter) run(batch []*writeOp) error {
	tx := w.db.Begin()
	if tx.Error != nil {
		return fmt.Errorf("begin: %w", tx.Error)
	}
	if len(batch) == 1 && batch[0].alone {
		op := batch[0]
		if op.err = op.ctx.Err(); op.err == nil {
			op.err = runSafely(op.fn, tx)
		}
		if op.err != nil {
			tx.Rollback() // the request's own error is its answer
			return nil
		}
		return tx.Commit().Error
	}
	for i, op := range batch {
		if err := op.ctx.Err(); err != nil {
			op.err = err
			continue
		}
		sp := fmt.Sprintf("op%d", i)
		if err := tx.Exec("SAVEPOINT " + sp).Error; err != nil {
			tx.Rollback()
			return err
		}
		if op.err = runSafely(op.fn, tx); op.err != nil {
			if err := tx.Exec("ROLLBACK TO " + sp).Error; err != nil {
				tx.Rollback() // the transaction can no longer be trusted
				return err
			}
		}
		if err := tx.Exec("RELEASE " + sp).Error; err != nil {
			tx.Rollback()
			return err
		}
	}
	return tx.Commit().Error
}

// runSafely runs fn, turning a panic into an error so one request cannot take
// the writer down.
func runSafely(fn txFunc, tx *gorm.DB) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in write: %v\n%s", r, debug.Stack())
		}
	}()
	return fn(tx)
}

// txWriter runs each request in a transaction of its own (PostgreSQL, where
// many connections write at once). A transaction that lost a race to another
// (serialization failure, deadlock, or a unique key such as an idempotency key
// inserted meanwhile by another instance) runs again: the second run sees the
// winner's row and answers accordingly (a replay, or a 409).
type txWriter struct {
	db *gorm.DB
	d  dialect
}

// do runs fn in a transaction of its own. A transaction whose connection was
// lost before COMMIT committed nothing: it runs once more, on another
// connection. One lost again, or lost during COMMIT (it may have committed),
// answers unavailable (unavailable.go).
func (w *txWriter) do(ctx context.Context, fn txFunc) error {
	var err error
	lost := 0
	for attempt := 0; attempt < 5; attempt++ {
		committing := false
		err = w.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			err := runSafely(fn, tx)
			committing = err == nil // an error from here on is COMMIT's
			return err
		})
		switch {
		case err == nil:
			return nil
		case isConnLost(err):
			if lost++; committing || lost > 1 || ctx.Err() != nil {
				return unavailable(err)
			}
		case !(w.d.isRetryable(err) || errors.Is(err, errRetry)):
			return err
		}
	}
	return err
}

// doAlone: every request already runs in a transaction of its own.
func (w *txWriter) doAlone(ctx context.Context, fn txFunc) error { return w.do(ctx, fn) }

func (w *txWriter) close() {}
