package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

// copyTables lists every table of the schema in an order that satisfies the
// foreign keys, each with the columns that order its rows.
var copyTables = []struct {
	name, orderBy string
	hasID         bool
}{
	{"users", "id", true},
	{"tokens", "id", true},
	{"login_throttles", "key", false},
	{"funds", "id", true},
	{"donors", "id", true},
	{"exchange_rates", "id", true},
	{"pledges", "id", true},
	{"contributions", "id", true},
	{"pledge_instalments", "pledge_id, version, seq", false}, // issue 11
	{"pledge_write_offs", "id", true},
	{"donor_links", "id", true}, // issue 15
	{"reminders", "id", true},   // issue 11
	{"fund_totals", "fund_id", false},
	{"fund_day_totals", "fund_id, day", false},
	{"fund_donor_totals", "fund_id, donor_id", false},
	{"fund_donor_day_totals", "fund_id, donor_id, day", false},
	{"fund_currency_totals", "fund_id, currency", false},
	{"idempotency_keys", "id", true},
	{"audit_events", "id", true},
	{"user_funds", "user_id, fund_id", false},
	{"documents", "id", true},
	{"document_chunks", "document_id, seq", false},
	{"imports", "id", true},                   // issue 12
	{"import_rows", "import_id, line", false}, // issue 12
}

// copyBatch is how many rows one INSERT carries (well under both engines'
// limits on bound parameters; tests lower it).
var copyBatch = 500

// ErrTargetNotEmpty is Copy's refusal to write into a database that holds rows.
var ErrTargetNotEmpty = errors.New("the target database is not empty: copy only into a new, migrated database")

// CopyReport is what Copy moved and checked.
type CopyReport struct {
	Tables []TableCount // every table, in copy order
	Funds  int          // funds whose figures were found equal on both sides
}

// TableCount is the number of rows of a table, equal on both sides.
type TableCount struct {
	Table string
	Rows  int64
}

// Copy moves a whole ledger (users and their password hashes, tokens, audit,
// idempotency keys and every aggregate included, ids preserved) from one
// database to an empty one, in either direction between the engines. The
// target is written in one transaction, and that transaction commits only
// once every table has as many rows on both sides and every fund's progress,
// donor breakdown and timelines read the same on both: otherwise nothing is
// written. The source is read from one snapshot.
func Copy(ctx context.Context, from, to *Store, log *slog.Logger) (CopyReport, error) {
	if log == nil {
		log = slog.Default()
	}
	var rep CopyReport
	for _, s := range []*Store{from, to} {
		if err := s.Ready(ctx); err != nil {
			return rep, fmt.Errorf("copy: %s database not ready (run `fundtracker migrate` on it): %w", s.Engine(), err)
		}
	}
	if err := checkEveryTableCopied(ctx, from); err != nil {
		return rep, fmt.Errorf("copy: %w", err)
	}
	src := from.r.WithContext(ctx).Begin(from.dialect.snapshot())
	if src.Error != nil {
		return rep, fmt.Errorf("copy: read snapshot: %w", src.Error)
	}
	defer src.Rollback()
	source := from.readingIn(src)
	err := to.writer.do(ctx, func(tx *gorm.DB) error {
		rep = CopyReport{}
		tx = tx.WithContext(ctx)
		for _, t := range copyTables {
			var one []int
			if err := tx.Raw("SELECT 1 FROM " + t.name + " LIMIT 1").Scan(&one).Error; err != nil {
				return err
			}
			if len(one) > 0 {
				return fmt.Errorf("%w (table %s has rows)", ErrTargetNotEmpty, t.name)
			}
		}
		for _, t := range copyTables {
			start := time.Now()
			n, err := copyTable(src, tx, t.name, t.orderBy)
			if err != nil {
				return fmt.Errorf("copy %s: %w", t.name, err)
			}
			if t.hasID {
				if err := to.dialect.resetIDs(tx, t.name); err != nil {
					return fmt.Errorf("reset ids of %s: %w", t.name, err)
				}
			}
			rep.Tables = append(rep.Tables, TableCount{Table: t.name, Rows: n})
			log.Info("copied", "table", t.name, "rows", n, "duration", time.Since(start))
		}
		funds, err := verifyCopy(ctx, source, to.readingIn(tx))
		rep.Funds = funds
		return err
	})
	if err != nil {
		return rep, fmt.Errorf("copy (nothing written): %w", err)
	}
	return rep, nil
}

// readingIn is a view of the store whose reads go through db (a transaction).
func (s *Store) readingIn(db *gorm.DB) *Store {
	return &Store{dialect: s.dialect, w: db, r: db, log: s.log, now: s.now}
}

// copyTable streams a table's rows from src and inserts them into dst, a
// batch at a time; it returns how many rows it copied.
func copyTable(src, dst *gorm.DB, table, orderBy string) (int64, error) {
	rows, err := src.Raw("SELECT * FROM " + table + " ORDER BY " + orderBy).Rows()
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = `"` + c + `"`
	}
	head := "INSERT INTO " + table + " (" + strings.Join(quoted, ", ") + ") VALUES "
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	var n int64
	batch := copyBatch
	if table == "document_chunks" {
		batch = 4 // 256 KiB each: a batch stays small in memory
	}
	args := make([]any, 0, batch*len(cols))
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		k := len(args) / len(cols)
		err := dst.Exec(head+strings.TrimSuffix(strings.Repeat(tuple+", ", k), ", "), args...).Error
		n += int64(k)
		args = args[:0]
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok && cols[i] == "data" {
				args = append(args, b) // document bytes stay bytes
				continue
			}
			args = append(args, portable(v))
		}
		if len(args) >= batch*len(cols) {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, flush()
}

// portable turns a value read from one engine into one the other stores the
// same way: text as strings, instants in UTC.
func portable(v any) any {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case time.Time:
		return x.UTC()
	}
	return v
}

// verifyCopy checks that every table has as many rows on both sides and that
// every fund reads the same on both; it returns how many funds it compared.
func verifyCopy(ctx context.Context, from, to *Store) (int, error) {
	for _, t := range copyTables {
		var a, b int64
		if err := from.r.Raw("SELECT COUNT(*) FROM " + t.name).Scan(&a).Error; err != nil {
			return 0, err
		}
		if err := to.r.Raw("SELECT COUNT(*) FROM " + t.name).Scan(&b).Error; err != nil {
			return 0, err
		}
		if a != b {
			return 0, fmt.Errorf("verify: table %s has %d rows in the source and %d in the target", t.name, a, b)
		}
	}
	var ids []int64
	if err := from.r.Raw("SELECT id FROM funds ORDER BY id").Scan(&ids).Error; err != nil {
		return 0, err
	}
	for _, id := range ids {
		a, err := from.FundFigures(ctx, strconv.FormatInt(id, 10))
		if err != nil {
			return 0, err
		}
		b, err := to.FundFigures(ctx, strconv.FormatInt(id, 10))
		if err != nil {
			return 0, err
		}
		if !bytes.Equal(a, b) {
			return 0, fmt.Errorf("verify: fund %d reads differently in the target:\nsource %s\ntarget %s", id, a, b)
		}
	}
	return len(ids), nil
}

// FundFigures is everything the public reads say about a fund (progress,
// donor breakdown, daily and monthly timeline) as JSON: two databases hold
// the same figures for a fund when their FundFigures are equal.
func (s *Store) FundFigures(ctx context.Context, idOrCode string) ([]byte, error) {
	p, err := s.Progress(ctx, idOrCode, "")
	if err != nil {
		return nil, err
	}
	p.AsOf = "" // today: not a figure
	donors, err := s.DonorBreakdown(ctx, idOrCode, models.PageRequest{})
	if err != nil {
		return nil, err
	}
	days, err := s.Timeline(ctx, idOrCode, "day")
	if err != nil {
		return nil, err
	}
	months, err := s.Timeline(ctx, idOrCode, "month")
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{"progress": p, "donors": donors.Items, "timeline_day": days, "timeline_month": months})
}
