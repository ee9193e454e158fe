package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"os"
	"strconv"
	"time"

	"github.com/fundtracker/fundtracker/models"
	_ "github.com/mattn/go-sqlite3"
)

// baselines are what raw Go + mattn/go-sqlite3 does on this machine, in this
// run: the limits the server's figures are compared with.
type baselines struct {
	SumRows          int     `json:"sum_rows"`
	SumMillis        float64 `json:"sum_ms"`
	GroupByRows      int     `json:"group_by_rows"`
	GroupByMillis    float64 `json:"group_by_ms"`
	NaiveReadsPerSec float64 `json:"naive_reads_per_s"`
}

func openRaw(path, sync string) (*sql.DB, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_busy_timeout=10000&_synchronous="+sync)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, db.Ping()
}

// measureBaselines runs the raw read figures on a scratch database in dir
// of `rows` rows. The write and CSV baselines are measured next to the
// server's figures (rawWriter, rawCSV), so that both see the same machine.
func measureBaselines(ctx context.Context, dir string, rows int) (baselines, error) {
	var b baselines
	path := dir + "/scratch.db"
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	db, err := openRaw(path, "FULL")
	if err != nil {
		return b, err
	}
	defer db.Close()
	if err := fillScratch(ctx, db, rows); err != nil {
		return b, err
	}
	b.SumRows, b.GroupByRows = rows/10, rows
	var sum, n int64
	if b.SumMillis, err = medianMillis(7, func() error {
		return db.QueryRowContext(ctx, "SELECT SUM(v) FROM t WHERE k = 3").Scan(&sum)
	}); err != nil {
		return b, err
	}
	if b.GroupByMillis, err = medianMillis(3, func() error {
		r, err := db.QueryContext(ctx, "SELECT substr(day, 1, 7) AS month, SUM(v) FROM t GROUP BY month ORDER BY month")
		if err != nil {
			return err
		}
		defer r.Close()
		var m string
		for r.Next() {
			if err := r.Scan(&m, &n); err != nil {
				return err
			}
		}
		return r.Err()
	}); err != nil {
		return b, err
	}
	// A dashboard that summed rows at read time would spend both per pair of reads.
	b.NaiveReadsPerSec = 2 / ((b.SumMillis + b.GroupByMillis) / 1000)
	return b, nil
}

// rawWriter inserts one row per durable transaction (synchronous=FULL, WAL)
// on a scratch database: the fsync-bound limit of one writer.
type rawWriter struct {
	db *sql.DB
	n  int
}

func newRawWriter(ctx context.Context, path string) (*rawWriter, error) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	db, err := openRaw(path, "FULL")
	if err != nil {
		return nil, err
	}
	_, err = db.ExecContext(ctx, `CREATE TABLE one (id INTEGER PRIMARY KEY, fund_id INTEGER, donor_id INTEGER,
		amount_minor INTEGER, currency TEXT, received_on TEXT, created_at TIMESTAMP)`)
	return &rawWriter{db: db}, err
}

// run writes for d and answers how many rows it wrote.
func (w *rawWriter) run(ctx context.Context, d time.Duration) (int, error) {
	start, n := time.Now(), 0
	for ; time.Since(start) < d; n++ {
		tx, err := w.db.BeginTx(ctx, nil)
		if err != nil {
			return n, err
		}
		w.n++
		if _, err := tx.ExecContext(ctx, "INSERT INTO one (fund_id, donor_id, amount_minor, currency, received_on, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			1, w.n%5000+1, 100000+w.n, "EUR", "2025-06-30", time.Now()); err != nil {
			tx.Rollback()
			return n, err
		}
		if err := tx.Commit(); err != nil {
			return n, err
		}
	}
	return n, nil
}

// fillScratch writes rows rows t(k, day, v): ten keys, five years of days,
// with an index on (k, v).
func fillScratch(ctx context.Context, db *sql.DB, rows int) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, k INTEGER NOT NULL, day TEXT NOT NULL, v INTEGER NOT NULL)`); err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, "INSERT INTO t (k, day, v) VALUES (?, ?, ?)")
	if err != nil {
		return err
	}
	for i := range rows {
		if _, err := stmt.ExecContext(ctx, i%10, dateText(firstDay.AddDate(0, 0, i%spanDays)), int64(i%100_000)*37+1); err != nil {
			return err
		}
	}
	stmt.Close()
	if _, err := tx.ExecContext(ctx, "CREATE INDEX t_k_v ON t (k, v)"); err != nil {
		return err
	}
	return tx.Commit()
}

// rawCSV streams every contribution of the ledger, with the columns the
// export has, through encoding/csv: the fastest the export could be.
func rawCSV(ctx context.Context, ledger string) (rows int, perSec float64, err error) {
	db, err := openRaw(ledger, "FULL")
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	start := time.Now()
	r, err := db.QueryContext(ctx, `SELECT c.id, f.code, d.name, d.country_code, c.pledge_id, c.received_on, c.amount_minor,
		c.currency, c.exchange_rate, c.amount_usd_cents, c.earmarking, c.reference, c.notes, c.voided_at, c.void_reason,
		c.created_at, c.created_by FROM contributions c JOIN funds f ON f.id = c.fund_id JOIN donors d ON d.id = c.donor_id ORDER BY c.id`)
	if err != nil {
		return 0, 0, err
	}
	defer r.Close()
	out := &countingWriter{}
	w := csv.NewWriter(out)
	w.UseCRLF = true
	var (
		id, amount, cents                                      int64
		pledge                                                 sql.NullInt64
		code, name, country, on, cur, rate, earmark, ref, note string
		reason, by                                             string
		voided                                                 sql.NullTime
		created                                                time.Time
	)
	n := 0
	for r.Next() {
		if err := r.Scan(&id, &code, &name, &country, &pledge, &on, &amount, &cur, &rate, &cents, &earmark, &ref, &note,
			&voided, &reason, &created, &by); err != nil {
			return 0, 0, err
		}
		p := ""
		if pledge.Valid {
			p = strconv.FormatInt(pledge.Int64, 10)
		}
		v := ""
		if voided.Valid {
			v = voided.Time.UTC().Format(time.RFC3339)
		}
		w.Write([]string{strconv.FormatInt(id, 10), code, name, country, p, on, minorText(amount, models.MinorUnits(cur)), cur, rate,
			minorText(cents, 2), earmark, ref, note, strconv.FormatBool(voided.Valid), reason, v, created.UTC().Format(time.RFC3339), by})
		n++
	}
	w.Flush()
	if err := r.Err(); err != nil {
		return 0, 0, err
	}
	return n, float64(n) / time.Since(start).Seconds(), w.Error()
}

// minorText writes an integer amount of minor units as a decimal string.
func minorText(minor int64, places int32) string {
	s := strconv.FormatInt(minor, 10)
	if places == 0 {
		return s
	}
	neg := minor < 0
	if neg {
		s = s[1:]
	}
	for len(s) <= int(places) {
		s = "0" + s
	}
	s = s[:len(s)-int(places)] + "." + s[len(s)-int(places):]
	if neg {
		s = "-" + s
	}
	return s
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// medianMillis runs fn n times and answers the median duration in ms.
func medianMillis(n int, fn func() error) (float64, error) {
	var ds []time.Duration
	for range n {
		start := time.Now()
		if err := fn(); err != nil {
			return 0, err
		}
		ds = append(ds, time.Since(start))
	}
	return millis(percentile(ds, 50)), nil
}
