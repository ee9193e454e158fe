package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/fundtracker/fundtracker/store"
)

// Issue 12: an import of 100,000 contributions from a CSV through the HTTP
// endpoint (dry run, then commit), beside a raw bulk insert of the same rows
// in one durable transaction, measured in the same run.

type importResult struct {
	Rows          int     `json:"rows"`
	DryRunSec     float64 `json:"dry_run_s"`
	CommitSec     float64 `json:"commit_s"`
	CommitPerSec  float64 `json:"commit_rows_per_s"`
	RawPerSec     float64 `json:"raw_bulk_insert_rows_per_s"`
	PeakRSSMB     float64 `json:"peak_rss_mb"`
	Created       int     `json:"created"`
	ReimportSec   float64 `json:"reimport_s"`
	ReimportDupes int     `json:"reimport_duplicates"`
}

// importRows is the statement imported: USD payments of the bench funds'
// donors (donor ids 1..donors), one reference each.
func importRows(n int, size ledgerSize, run string) []byte {
	var b bytes.Buffer
	b.WriteString("fund_code,donor_id,amount,currency,received_on,reference\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "bench-fund-%02d,%d,%d.%02d,USD,2025-%02d-%02d,IMP-%s-%d\n", 1+i%size.Funds, 1+i%size.Donors,
			10+i%5000, i%100, 1+i%12, 1+i%28, run, i)
	}
	return b.Bytes()
}

func postImport(c *http.Client, base, token, mode string, file []byte, want int) (map[string]any, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("kind", "contributions")
	mw.WriteField("mode", mode)
	fw, _ := mw.CreateFormFile("file", "statement.csv")
	fw.Write(file)
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/imports", &body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		return nil, fmt.Errorf("import %s: status %d: %.300s", mode, res.StatusCode, raw)
	}
	var out map[string]any
	return out, json.Unmarshal(raw, &out)
}

// rawBulkInsert writes n contribution-shaped rows in one durable transaction.
func rawBulkInsert(ctx context.Context, path string, n int) (float64, error) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	db, err := openRaw(path, "FULL")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE c (id INTEGER PRIMARY KEY, fund_id INTEGER, donor_id INTEGER, amount_minor INTEGER,
		currency TEXT, exchange_rate TEXT, amount_usd_cents INTEGER, received_on TEXT, reference TEXT, created_at TIMESTAMP, created_by TEXT)`); err != nil {
		return 0, err
	}
	start := time.Now()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO c (fund_id, donor_id, amount_minor, currency, exchange_rate, amount_usd_cents, received_on,
		reference, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		tx.Rollback()
		return 0, err
	}
	for i := 0; i < n; i++ {
		minor := int64((10+i%5000)*100 + i%100)
		if _, err := st.ExecContext(ctx, 1+i%20, 1+i%5000, minor, "USD", "1", minor, fmt.Sprintf("2025-%02d-%02d", 1+i%12, 1+i%28),
			fmt.Sprintf("RAW-%d", i), time.Now(), "bench"); err != nil {
			tx.Rollback()
			return 0, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// measureImport imports n contributions: a dry run, a commit (its rate and
// the server's peak RSS), the raw bulk insert of as many rows, and the same
// file again (every row a duplicate).
func measureImport(ctx context.Context, o options, s *server, token string, size ledgerSize, at time.Time, n int) (importResult, error) {
	r := importResult{Rows: n}
	file := importRows(n, size, at.Format("150405"))
	c := client(1)
	step("import of %d contributions: dry run", n)
	start := time.Now()
	if _, err := postImport(c, s.base, token, "dry_run", file, http.StatusOK); err != nil {
		return r, err
	}
	r.DryRunSec = time.Since(start).Seconds()
	step("import: commit")
	s.resetPeak()
	peak := s.rssSampler()
	start = time.Now()
	out, err := postImport(c, s.base, token, "commit", file, http.StatusCreated)
	r.CommitSec = time.Since(start).Seconds()
	r.PeakRSSMB = peak()
	if err != nil {
		return r, err
	}
	r.Created = int(out["created"].(float64))
	r.CommitPerSec = float64(n) / r.CommitSec
	step("import: raw bulk insert of %d rows in one durable transaction", n)
	if r.RawPerSec, err = rawBulkInsert(ctx, o.dir+"/scratch-import.db", n); err != nil {
		return r, err
	}
	step("import: the same file again")
	start = time.Now()
	out, err = postImport(c, s.base, token, "commit", file, http.StatusCreated)
	r.ReimportSec = time.Since(start).Seconds()
	if err != nil {
		return r, err
	}
	r.ReimportDupes = int(out["duplicates"].(float64))
	return r, nil
}

func importTableRows(r importResult) []row {
	if r.Rows == 0 {
		return nil
	}
	return []row{
		{Figure: fmt.Sprintf("import %dk contributions (CSV over HTTP), commit", r.Rows/1000),
			Value:    fmt.Sprintf("%.0f rows/s (dry run %.1f s, commit %.1f s, %d created)", r.CommitPerSec, r.DryRunSec, r.CommitSec, r.Created),
			Baseline: fmt.Sprintf("raw bulk insert %.0f rows/s", r.RawPerSec), Ratio: r.CommitPerSec / r.RawPerSec,
			Goal: ">= 0.25x raw", Met: goal(r.CommitPerSec/r.RawPerSec >= 0.25 && r.Created == r.Rows)},
		{Figure: "server peak RSS during the import commit", Value: fmt.Sprintf("%.1f MB", r.PeakRSSMB), Ratio: r.PeakRSSMB / 200,
			Goal: "< 200 MB", Met: goal(r.PeakRSSMB < 200)},
		{Figure: "the same file imported again", Value: fmt.Sprintf("%d duplicates, %.1f s", r.ReimportDupes, r.ReimportSec),
			Goal: "nothing created", Met: goal(r.ReimportDupes == r.Rows)},
	}
}

// aggregatesVsRebuild compares the aggregate tables of a served ledger with
// a full rebuild from its records ("equal", or what differs).
func aggregatesVsRebuild(ctx context.Context, path string) (string, error) {
	dump := func() (string, error) {
		db, err := openRaw(path, "FULL")
		if err != nil {
			return "", err
		}
		defer db.Close()
		var b strings.Builder
		for _, q := range []string{
			"SELECT fund_id, paid_cents, outstanding_cents, paid_unearmarked_cents, contribution_count, donor_count FROM fund_totals ORDER BY fund_id",
			"SELECT fund_id, day, paid_cents, outstanding_cents, paid_unearmarked_cents, contribution_count, timeline_paid_cents, timeline_outstanding_cents FROM fund_day_totals WHERE paid_cents <> 0 OR outstanding_cents <> 0 OR contribution_count <> 0 OR timeline_paid_cents <> 0 OR timeline_outstanding_cents <> 0 ORDER BY fund_id, day",
			"SELECT fund_id, donor_id, paid_cents, outstanding_cents, live_records FROM fund_donor_totals WHERE paid_cents <> 0 OR outstanding_cents <> 0 OR live_records <> 0 ORDER BY fund_id, donor_id",
			"SELECT fund_id, currency, paid_minor, paid_cents, outstanding_minor, outstanding_cents FROM fund_currency_totals WHERE paid_minor <> 0 OR outstanding_minor <> 0 ORDER BY fund_id, currency",
		} {
			rows, err := db.QueryContext(ctx, q)
			if err != nil {
				return "", err
			}
			cols, _ := rows.Columns()
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			for rows.Next() {
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return "", err
				}
				fmt.Fprintln(&b, vals...)
			}
			rows.Close()
		}
		return b.String(), nil
	}
	before, err := dump()
	if err != nil {
		return "", err
	}
	s, err := store.Open(ctx, store.Config{DSN: path})
	if err != nil {
		return "", err
	}
	err = s.RebuildAggregates(ctx)
	s.Close()
	if err != nil {
		return "", err
	}
	after, err := dump()
	if err != nil {
		return "", err
	}
	if before != after {
		return fmt.Sprintf("DIFFER (%d bytes of rows served, %d rebuilt)", len(before), len(after)), nil
	}
	return "equal", nil
}
