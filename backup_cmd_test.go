package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fundtracker/fundtracker/seed"
	"github.com/fundtracker/fundtracker/store"
	_ "github.com/fundtracker/fundtracker/store/storetest" // fast password hashing
)

// TestBackupAndRestoreCommandsRefuseWhatWouldLoseData: `backup` from the
// wrong folder (no database there) must fail, not create an empty database
// and back it up; `restore` of a missing file must not create its target;
// `restore` into a database with rows says so in restore's words. The happy
// path works in between.
func TestBackupAndRestoreCommandsRefuseWhatWouldLoseData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	err := runBackup(ctx, config{DB: missing}, []string{"--to", filepath.Join(dir, "b0.db")})
	if err == nil || !strings.Contains(err.Error(), "no database at") {
		t.Errorf("backup of a missing database: %v, want a refusal", err)
	}
	for _, f := range []string{missing, filepath.Join(dir, "b0.db")} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("backup of a missing database created %s", f)
		}
	}
	target := filepath.Join(dir, "target.db")
	if err := runRestore(ctx, config{DB: target}, []string{"--from", filepath.Join(dir, "nope.db")}); err == nil {
		t.Error("restore of a missing backup file: no error")
	}
	if _, err := os.Stat(target); err == nil {
		t.Error("restore of a missing backup file created its target")
	}

	live := filepath.Join(dir, "live.db")
	s, err := store.Open(ctx, store.Config{DSN: live, Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := seed.Demo(ctx, s); err != nil {
		t.Fatal(err)
	}
	s.Close()
	backup := filepath.Join(dir, "backup.db")
	if err := runBackup(ctx, config{DB: live}, []string{"--to", backup}); err != nil {
		t.Fatalf("backup: %v", err)
	}
	if err := runRestore(ctx, config{DB: target}, []string{"--from", backup}); err != nil {
		t.Fatalf("restore into an empty database: %v", err)
	}
	err = runRestore(ctx, config{DB: target}, []string{"--from", backup})
	if err == nil || !strings.Contains(err.Error(), "restore only into a new database") || strings.Contains(err.Error(), "copy only") {
		t.Errorf("restore into a database with rows: %v, want restore's refusal", err)
	}
}
