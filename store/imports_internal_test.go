package store

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

// Issue 12: a dry run writes nothing, so it decides on a read snapshot and
// answers while the single writer is busy; a commit waits for the writer and
// runs in a transaction of its own (doAlone), between the requests queued
// before and after it.
func TestImportDryRunDoesNotHoldTheWriter(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DSN: filepath.Join(t.TempDir(), "i.db"), Migrate: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	actor := models.Actor{Email: "staff@example.org"}
	req := models.ImportRequest{Kind: models.ImportDonors, Mode: models.ImportDryRun, Filename: "d.csv", Size: 20,
		SHA256: "00", Table: models.ImportTable{Headers: []string{"name", "kind"}, Fields: []string{"name", "kind"},
			Rows: []models.ImportRow{{Line: 2, Cells: []string{"Donor A", "ngo"}}, {Line: 3, Cells: []string{"Donor B", "ngo"}}}}}
	started, release := make(chan struct{}), make(chan struct{})
	held := make(chan error, 1)
	go func() {
		held <- s.writer.do(ctx, func(*gorm.DB) error { close(started); <-release; return nil })
	}()
	<-started
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	res, committed, _, err := s.Import(dctx, actor, req)
	if err != nil || committed != nil || res.WouldCreate != 2 || res.Rows != 2 {
		t.Fatalf("dry run while the writer is held: %+v %+v %v", res, committed, err)
	}
	// A commit waits for the writer; a write queued after it still runs.
	req.Mode = models.ImportCommit
	done := make(chan *models.ImportCommitResult, 1)
	go func() {
		_, c, _, err := s.Import(ctx, actor, req)
		if err != nil {
			t.Error(err)
		}
		done <- c
	}()
	after := make(chan error, 1)
	time.Sleep(50 * time.Millisecond)
	go func() { after <- s.writer.do(ctx, func(tx *gorm.DB) error { return tx.Exec("SELECT 1").Error }) }()
	select {
	case <-done:
		t.Fatal("the commit did not wait for the writer")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if c := <-done; c == nil || c.Created != 2 {
		t.Fatalf("commit: %+v", c)
	}
	if err := <-after; err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := s.r.Raw("SELECT COUNT(*) FROM audit_events WHERE action = 'import'").Scan(&n).Error; err != nil || n != 3 {
		t.Fatalf("audit rows: %d %v (want 2 donors and the import)", n, err)
	}
}
