package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/mattn/go-sqlite3"
	"gorm.io/gorm"
)

// A backup is one SQLite file holding the whole ledger (schema, migrations
// table, every row, ids kept): it can be opened with `fundtracker serve` as
// it is, inspected with sqlite3, or loaded into any empty database, SQLite or
// PostgreSQL, with Restore.

// ErrBackupExists is Backup's refusal to overwrite a file.
var ErrBackupExists = errors.New("the backup file already exists: choose a new name")

// BackupReport is what Backup wrote.
type BackupReport struct {
	Engine string       // the engine backed up
	Tables []TableCount // rows of every table in the backup
}

// fileBackuper is a dialect that can write a consistent copy of its database
// to a new SQLite file by itself (SQLite); the others go through Copy.
type fileBackuper interface {
	backupTo(ctx context.Context, db *gorm.DB, path string) error
}

// backupTo writes the database to path with SQLite's online backup API
// (sqlite3_backup_*, mattn/go-sqlite3's SQLiteConn.Backup), reading from a
// connection of the reader pool and writing to a new file. The whole copy is
// one step (Step(-1)): one read transaction, so the copy is one consistent
// snapshot, and in WAL mode that read blocks no writer. Stepped page by page
// instead, the backup would restart whenever the writer commits and might
// never finish under load. (VACUUM INTO would be as consistent, but the
// readers are opened query_only, which refuses it.)
func (sqliteDialect) backupTo(ctx context.Context, db *gorm.DB, path string) error {
	srcDB, err := db.DB()
	if err != nil {
		return err
	}
	src, err := srcDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer src.Close()
	dstDB, err := sql.Open(sqliteDriver, "file:"+path)
	if err != nil {
		return err
	}
	defer dstDB.Close()
	dst, err := dstDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer dst.Close()
	return dst.Raw(func(d any) error {
		return src.Raw(func(s any) error {
			b, err := d.(*sqlite3.SQLiteConn).Backup("main", s.(*sqlite3.SQLiteConn), "main")
			if err != nil {
				return err
			}
			done, err := b.Step(-1)
			if ferr := b.Finish(); err == nil {
				err = ferr
			}
			if err == nil && !done {
				err = errors.New("sqlite backup stopped before the last page")
			}
			return err
		})
	})
}

// Backup writes a consistent copy of the ledger into path, a new SQLite file,
// while the store goes on serving. SQLite is copied with its online backup API;
// PostgreSQL is read from one repeatable-read snapshot and written through
// Copy, which checks every table's row count and every fund's figures on both
// sides before it commits. The backup is then reopened and checked.
func Backup(ctx context.Context, s *Store, path string, log *slog.Logger) (BackupReport, error) {
	if log == nil {
		log = slog.Default()
	}
	rep := BackupReport{Engine: s.Engine()}
	if err := s.Ready(ctx); err != nil {
		return rep, fmt.Errorf("backup: database not ready (run `fundtracker migrate`): %w", err)
	}
	// The file is created here, empty, readable by its owner only (it holds
	// password hashes and tokens' digests); SQLite takes an empty file as a
	// new database.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return rep, fmt.Errorf("%w (%s)", ErrBackupExists, path)
	} else if err != nil {
		return rep, err
	}
	f.Close()
	fail := func(err error) (BackupReport, error) {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(path + suffix)
		}
		return rep, fmt.Errorf("backup (no file left): %w", err)
	}
	if fb, ok := s.dialect.(fileBackuper); ok {
		if err := fb.backupTo(ctx, s.r, path); err != nil {
			return fail(err)
		}
	} else {
		dst, err := Open(ctx, Config{DSN: path, Migrate: true, Logger: log})
		if err != nil {
			return fail(err)
		}
		_, err = Copy(ctx, s, dst, log)
		if cerr := dst.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fail(err)
		}
	}
	b, err := Open(ctx, Config{DSN: path, Logger: log})
	if err != nil {
		return fail(err)
	}
	defer b.Close()
	var check string
	if err := b.r.WithContext(ctx).Raw("PRAGMA integrity_check").Row().Scan(&check); err != nil || check != "ok" {
		return fail(fmt.Errorf("the backup fails SQLite's integrity check: %v %s", err, check))
	}
	counts, err := b.TableCounts(ctx)
	if err != nil {
		return fail(err)
	}
	for _, t := range copyTables {
		rep.Tables = append(rep.Tables, TableCount{Table: t.name, Rows: counts[t.name]})
	}
	return rep, nil
}

// Restore loads a backup written by Backup (or any fundtracker SQLite file)
// into to, which must be empty (ErrTargetNotEmpty otherwise) and is migrated
// first. The backup file itself is never changed: it is copied to a temporary
// file, which is migrated to this version's schema and then moved with Copy,
// which commits only once both sides hold the same rows and figures.
func Restore(ctx context.Context, from string, to *Store, log *slog.Logger) (CopyReport, error) {
	if log == nil {
		log = slog.Default()
	}
	if IsPostgres(from) {
		return CopyReport{}, errors.New("restore: a backup is an SQLite file; to move a PostgreSQL database use `fundtracker copy`")
	}
	// The temporary copy goes beside the backup (same disk, likely room for
	// it), or in the system's temporary folder if that one is read-only.
	tmpDir, err := os.MkdirTemp(filepath.Dir(from), ".fundtracker-restore-")
	if err != nil {
		if tmpDir, err = os.MkdirTemp("", "fundtracker-restore-"); err != nil {
			return CopyReport{}, err
		}
	}
	defer os.RemoveAll(tmpDir)
	tmp := filepath.Join(tmpDir, "backup.db")
	if err := copyFile(from, tmp); err != nil {
		return CopyReport{}, fmt.Errorf("restore: read the backup: %w", err)
	}
	src, err := Open(ctx, Config{DSN: tmp, Migrate: true, Logger: log})
	if err != nil {
		return CopyReport{}, fmt.Errorf("restore: %s is not a fundtracker backup: %w", from, err)
	}
	defer src.Close()
	return Copy(ctx, src, to, log)
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// tablesQuery is how a dialect lists the ledger's tables (the migrations'
// own table aside).
type tablesQuery interface{ tablesSQL() string }

func (sqliteDialect) tablesSQL() string {
	return "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version'"
}
func (postgresDialect) tablesSQL() string {
	return "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'goose_db_version'"
}

// checkEveryTableCopied refuses to copy (or back up through Copy) a
// database holding a table that copyTables does not list: a table added by
// a migration must be added there too, or copies, backups of PostgreSQL and
// restores would silently leave it behind.
func checkEveryTableCopied(ctx context.Context, s *Store) error {
	q, ok := s.dialect.(tablesQuery)
	if !ok {
		return nil
	}
	var names []string
	if err := s.r.WithContext(ctx).Raw(q.tablesSQL()).Scan(&names).Error; err != nil {
		return err
	}
	known := map[string]bool{}
	for _, t := range copyTables {
		known[t.name] = true
	}
	var missing []string
	for _, n := range names {
		if !known[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("tables %v are not in store.copyTables: add them (parents before children) so that copy, backup and restore move them", missing)
	}
	return nil
}
