package store

import (
	"log/slog"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// checkpointEvery is how often SQLite's WAL is copied back into the database.
const checkpointEvery = 250 * time.Millisecond

// walPagesLimit is the WAL size (pages) past which the writer finishes a
// checkpoint itself (batchWriter.checkpointIfFull).
const walPagesLimit = 4000

// startCheckpoints copies the WAL into the database file in the background,
// from a reader connection, PASSIVE (it never waits for the writer or the
// readers). SQLite's automatic checkpoint (off on the writer, see Open) would
// run inside the COMMIT of whichever write crosses its threshold, so that the
// requests of that group commit would wait for a checkpoint and its fsync of
// the database file. When the WAL still grows past walPagesLimit, it sets
// full for the writer. It answers a function that stops it.
func startCheckpoints(db *gorm.DB, log *slog.Logger, full *atomic.Bool) (stop func()) {
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
			}
			var busy, walPages, copied int
			if err := db.Raw("PRAGMA wal_checkpoint(PASSIVE)").Row().Scan(&busy, &walPages, &copied); err != nil {
				log.Warn("wal checkpoint failed", "error", err)
			} else if walPages > walPagesLimit {
				full.Store(true)
			}
		}
	}()
	return func() { close(quit); <-done }
}
