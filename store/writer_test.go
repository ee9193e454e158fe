package store

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// TestGroupCommitAnswersOnlyCommittedWrites: many concurrent requests share
// transactions; some fail on their own (their savepoint is rolled back, the
// batch goes on) and some make their batch's COMMIT fail (a deferred foreign
// key, checked only at COMMIT), after which the batch's requests are retried
// one by one. Every request answered without error is in the database, no
// request answered with an error is, and only the culprits are rolled back.
func TestGroupCommitAnswersOnlyCommittedWrites(t *testing.T) {
	dsn := "file:" + filepath.Join(t.TempDir(), "w.db") + "?_journal_mode=WAL&_foreign_keys=on&_busy_timeout=5000&_txlock=immediate"
	db, err := gorm.Open(sqlite.Open(dsn), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, _ := db.DB()
	sqlDB.SetMaxOpenConns(1)
	defer sqlDB.Close()
	for _, stmt := range []string{
		`CREATE TABLE parent (id INTEGER PRIMARY KEY)`,
		`CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)`,
		`INSERT INTO parent (id) VALUES (1)`,
	} {
		if err := db.Exec(stmt).Error; err != nil {
			t.Fatal(err)
		}
	}
	w := newBatchWriter(db, slog.Default())
	defer w.close()

	const n = 600
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = w.do(context.Background(), func(tx *gorm.DB) error {
				parent := 1
				if i%97 == 13 {
					parent = 999 // an orphan: the batch's COMMIT fails
				}
				if err := tx.Exec("INSERT INTO child (id, parent_id) VALUES (?, ?)", i+1, parent).Error; err != nil {
					return err
				}
				if i%7 == 0 {
					return errors.New("refused by a rule") // this request alone is rolled back
				}
				return nil
			})
		}(i)
	}
	wg.Wait()

	var ok, refused, rolledBack int
	for i, err := range errs {
		var count int64
		db.Raw("SELECT COUNT(*) FROM child WHERE id = ?", i+1).Scan(&count)
		switch {
		case err == nil && count != 1:
			t.Fatalf("request %d was answered as written but is not in the database", i)
		case err != nil && count != 0:
			t.Fatalf("request %d was answered %v but its row is in the database", i, err)
		case err == nil:
			ok++
		case errors.Is(err, errRolledBack):
			rolledBack++
		default:
			refused++
		}
	}
	orphans := 0
	for i := 0; i < n; i++ {
		if i%97 == 13 && i%7 != 0 {
			orphans++
		}
	}
	if rolledBack != orphans {
		t.Fatalf("%d requests rolled back with a failed COMMIT, want only the %d culprits", rolledBack, orphans)
	}
	if ok == 0 || refused == 0 || rolledBack == 0 {
		t.Fatalf("the test did not exercise every outcome: ok=%d refused=%d rolled back with their batch=%d", ok, refused, rolledBack)
	}
	t.Logf("%d requests: %d written, %d refused alone, %d rolled back with their batch", n, ok, refused, rolledBack)
}
