package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

// Issue 12: imports. A commit is one write transaction, run alone (not in a
// group commit's savepoint): load (what the rows name, through
// importLoader), decide (models.DecideImport, every row in file order, a
// chunk of rows at a time, the aggregate changes summed in memory), apply
// (each chunk's records, their audit rows and fingerprints with multi-row
// INSERTs as it is decided; each aggregate row once at the end). A dry run
// decides the same way on a read snapshot and writes nothing.

type importRow struct {
	ID             int64 `gorm:"primaryKey"`
	Kind           string
	Filename       string
	Size           int64
	SHA256         string `gorm:"column:sha256"`
	RowCount       int
	CreatedCount   int
	DuplicateCount int
	CreatedAt      time.Time
	CreatedBy      string
	UserID         *int64
}

func (importRow) TableName() string { return "imports" }

func (r importRow) model() models.Import {
	return models.Import{ID: r.ID, Kind: r.Kind, Filename: r.Filename, Size: r.Size, SHA256: r.SHA256, Rows: r.RowCount,
		Created: r.CreatedCount, Duplicates: r.DuplicateCount, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
}

type importFingerprintRow struct {
	ImportID    int64 `gorm:"primaryKey"`
	Line        int   `gorm:"primaryKey"`
	FundID      int64
	Fingerprint string
	EntityID    int64
}

func (importFingerprintRow) TableName() string { return "import_rows" }

// importLoader is what DecideImport reads, in the import's transaction (the
// commit's write transaction, or the dry run's read snapshot). The decision
// caches its answers per import: a record's parties, rate and totals once per
// fund, donor, currency and rate day; a pledge once.
type importLoader struct {
	t       *ltx
	tx      *gorm.DB
	d       dialect
	pledges map[int64]*models.PledgeState
	seen    map[int]*sql.Stmt // Seen's statements, by number of pairs
}

func (l *importLoader) Funds() (map[int64]string, error) {
	var rows []struct {
		ID   int64
		Code string
	}
	if err := l.tx.Raw("SELECT id, code FROM funds").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Code
	}
	return out, nil
}

func (l *importLoader) Donors() ([]models.ImportDonor, error) {
	var rows []models.ImportDonor
	err := l.tx.Raw("SELECT id, name, country_code FROM donors ORDER BY id").Scan(&rows).Error
	return rows, err
}

func (l *importLoader) Pledge(id int64) (*models.PledgeState, error) {
	if st, ok := l.pledges[id]; ok {
		return st, nil
	}
	st, err := l.t.loadPledge(id, l.t.today())
	if models.ErrorCode(err) == models.ENOTFOUND {
		st, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	l.pledges[id] = st
	return st, nil
}

func (l *importLoader) PledgesByReference(ref string, fundID int64) ([]int64, error) {
	q := l.tx.Table("pledges").Where("reference = ? AND cancelled_at IS NULL", ref)
	if fundID > 0 {
		q = q.Where("fund_id = ?", fundID)
	}
	var ids []int64
	err := q.Order("id").Limit(20).Pluck("id", &ids).Error
	return ids, err
}

func (l *importLoader) Record(k models.RecordKeys) (models.RecordLoad, error) {
	return l.t.loadRecord("", k)
}

func (l *importLoader) CommitmentBlocked(fundID int64) (string, error) {
	return l.t.commitmentProblem(fundID, 0)
}

// Seen looks a chunk's fingerprints up with one statement, a join of the
// import's rows with a VALUES list of (fund, fingerprint) pairs probing the
// unique index, prepared once per list length for the import (every full
// chunk has the same): not one IN list per fund, each prepared anew. The
// CROSS JOIN keeps SQLite's loops in that order: planned while import_rows
// is small (before the import's own rows), a plain join scans import_rows
// and probes the list, which grows with every chunk written.
func (l *importLoader) Seen(fps []models.ImportFingerprint) (map[models.ImportFingerprint]bool, error) {
	out := map[models.ImportFingerprint]bool{}
	if len(fps) == 0 {
		return out, nil
	}
	// By fund, then fingerprint: the order of the unique index.
	list := slices.Clone(fps)
	slices.SortFunc(list, func(a, b models.ImportFingerprint) int {
		if a.FundID != b.FundID {
			return cmp.Compare(a.FundID, b.FundID)
		}
		return strings.Compare(a.Fingerprint, b.Fingerprint)
	})
	for start := 0; start < len(list); start += models.ImportChunk {
		part := list[start:min(start+models.ImportChunk, len(list))]
		st, err := l.seenStmt(len(part))
		if err != nil {
			return nil, err
		}
		args := make([]any, 0, 2*len(part))
		for _, fp := range part {
			args = append(args, fp.FundID, fp.Fingerprint)
		}
		rows, err := st.QueryContext(l.t.ctx, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var fp models.ImportFingerprint
			if err := rows.Scan(&fp.FundID, &fp.Fingerprint); err != nil {
				rows.Close()
				return nil, err
			}
			out[fp] = true
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// seenStmt is Seen's statement for n pairs, prepared once per import.
func (l *importLoader) seenStmt(n int) (*sql.Stmt, error) {
	if st, ok := l.seen[n]; ok {
		return st, nil
	}
	q := "WITH v (fund_id, fingerprint) AS (VALUES " +
		strings.TrimSuffix(strings.Repeat("(CAST(? AS BIGINT), CAST(? AS TEXT)), ", n), ", ") +
		") SELECT r.fund_id, r.fingerprint FROM v CROSS JOIN import_rows r WHERE r.fund_id = v.fund_id AND r.fingerprint = v.fingerprint"
	st, err := l.t.tx.PrepareContext(l.t.ctx, l.d.lockFor(q, ""))
	if err != nil {
		return nil, err
	}
	if l.seen == nil {
		l.seen = map[int]*sql.Stmt{}
	}
	l.seen[n] = st
	return st, nil
}

// close closes the loader's statements (before its transaction ends).
func (l *importLoader) close() {
	for _, st := range l.seen {
		st.Close()
	}
}

func (l *importLoader) Rate(currency string, on models.Date) (*models.ExchangeRate, error) {
	var row rateRow
	err := l.tx.Where("currency = ? AND effective_on = ?", currency, string(on)).Take(&row).Error
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	r := row.model()
	return &r, nil
}

// errImportInvalid rolls back a commit whose file has an invalid row (the
// rows of its earlier chunks were written): the answer is the decision's.
var errImportInvalid = errors.New("import: the file has invalid rows")

// Import decides an import and, in mode commit with no invalid row, applies
// it. It answers the decision's figures and, when committed, the import.
//
// A dry run writes nothing: it decides on a read snapshot, not in the
// writer. A commit decides and applies in one write transaction, a chunk of
// rows at a time (models.DecideImport): each chunk's records, their audit
// rows and fingerprints are written with multi-row INSERTs as soon as the
// chunk is decided, and the aggregate changes of the whole file, summed in
// memory, once per aggregate row at the end. A row found invalid rolls the
// whole transaction back: all or nothing.
func (s *Store) Import(ctx context.Context, a models.Actor, req models.ImportRequest) (models.ImportDryRunResult, *models.ImportCommitResult, *Replay, error) {
	if req.Mode != models.ImportCommit {
		res, err := s.importDryRun(ctx, a, req)
		return res, nil, nil, wrap("import", err)
	}
	var res models.ImportDryRunResult
	var out *models.ImportCommitResult
	var rep *Replay
	err := s.writer.doAlone(ctx, func(tx *gorm.DB) error {
		out, rep = nil, nil
		t, err := s.ledger(tx)
		if err != nil {
			return err
		}
		if rep, err = t.replayed(a, req.Idem); err != nil || rep != nil {
			return err
		}
		restore, err := s.dialect.bulkCache(t.ctx, t.tx)
		defer restore()
		if err != nil {
			return err
		}
		imp := importRow{Kind: req.Kind, Filename: req.Filename, Size: req.Size, SHA256: req.SHA256, CreatedAt: t.now, CreatedBy: a.Email}
		if a.UserID != 0 {
			uid := a.UserID
			imp.UserID = &uid
		}
		if err := tx.Create(&imp).Error; err != nil {
			return err
		}
		ap := &importApplier{s: s, t: t, tx: tx, a: a, importID: imp.ID, kind: req.Kind, stmts: map[string]*sql.Stmt{}}
		defer ap.close()
		ld := &importLoader{t: t, tx: tx, d: s.dialect, pledges: map[int64]*models.PledgeState{}}
		defer ld.close()
		d, err := models.DecideImport(req, ld, t.today(), t.now, a.Email, ap.write)
		werr := ap.wait()
		if err != nil {
			return err
		}
		res = d.Result
		if res.Invalid > 0 {
			return errImportInvalid
		}
		if werr != nil {
			return werr
		}
		for _, id := range models.SortedKeys(d.Pledges, func(a, b int64) bool { return a < b }) {
			if err := t.setPledge(d.Pledges[id].Pledge); err != nil {
				return err
			}
		}
		if err := ap.applyEffects(d.Effects); err != nil {
			return err
		}
		imp.RowCount, imp.CreatedCount, imp.DuplicateCount = res.Rows, ap.created, res.Duplicates
		if err := tx.Model(&importRow{}).Where("id = ?", imp.ID).Updates(map[string]any{"row_count": imp.RowCount,
			"created_count": imp.CreatedCount, "duplicate_count": imp.DuplicateCount}).Error; err != nil {
			return err
		}
		if err := t.audit(a, "import", "import", imp.ID, nil, imp.model()); err != nil {
			return err
		}
		out = &models.ImportCommitResult{ID: imp.ID, Kind: imp.Kind, Created: imp.CreatedCount, Duplicates: imp.DuplicateCount,
			Totals: res.Totals, SHA256: imp.SHA256}
		return t.remember(a, req.Idem, 201, out)
	})
	if errors.Is(err, errImportInvalid) {
		return res, nil, nil, nil
	}
	return res, out, rep, wrap("import", err)
}

// importDryRun decides an import on a read snapshot: it writes nothing, so
// it does not hold the writer.
func (s *Store) importDryRun(ctx context.Context, a models.Actor, req models.ImportRequest) (models.ImportDryRunResult, error) {
	rtx := s.r.WithContext(ctx).Begin(s.dialect.snapshot())
	if rtx.Error != nil {
		return models.ImportDryRunResult{}, rtx.Error
	}
	defer rtx.Rollback()
	var sqlTx *sql.Tx
	switch p := rtx.Statement.ConnPool.(type) {
	case *sql.Tx:
		sqlTx = p
	case *gorm.PreparedStmtTX:
		sqlTx, _ = p.Tx.(*sql.Tx)
	}
	if sqlTx == nil {
		return models.ImportDryRunResult{}, errors.New("store: import dry run: no database/sql transaction under the read snapshot")
	}
	t := &ltx{ctx: ctx, tx: sqlTx, now: s.now(), db: rtx, translate: func(err error) error { return err }, bound: map[string]*sql.Stmt{}}
	// The loads a decision runs, prepared on the snapshot's connection
	// (without the row locks a read-only transaction may not take).
	for _, q := range []string{sqlContext, sqlPledgeLoad, sqlCommitment} {
		st, err := sqlTx.PrepareContext(ctx, s.dialect.lockFor(q, ""))
		if err != nil {
			return models.ImportDryRunResult{}, err
		}
		t.bound[q] = st
	}
	ld := &importLoader{t: t, tx: rtx, d: s.dialect, pledges: map[int64]*models.PledgeState{}}
	defer ld.close()
	d, err := models.DecideImport(req, ld, t.today(), t.now, a.Email, nil)
	return d.Result, err
}

// importApplier writes the records of a commit, a chunk at a time.
type importApplier struct {
	s        *Store
	t        *ltx
	tx       *gorm.DB
	a        models.Actor
	importID int64
	kind     string
	created  int
	// stmts are the multi-row statements prepared for this import, by text.
	stmts map[string]*sql.Stmt

	// The goroutine writing a contributions import's chunks (write).
	work   chan []models.ImportRecord
	done   chan struct{}
	err    error // its first error, read once done is closed
	failed atomic.Bool
}

// close ends the writing goroutine, then the import's statements (before
// the transaction ends).
func (ap *importApplier) close() {
	ap.wait()
	for _, st := range ap.stmts {
		st.Close()
	}
}

// write is the decision's sink. A contributions import's chunks are written
// by a goroutine of their own while the decision goes on with the next
// chunk: both use the transaction's one connection, whose statements
// database/sql runs in turn, but the decision's Go work and SQLite's inserts
// share the machine's cores. The chunks are written in file order, in the
// same transaction: all or nothing as before. Other kinds are written in the
// decision's goroutine (their records go through the ledger's statements),
// and so is everything on PostgreSQL, whose driver refuses a statement while
// the other goroutine still reads a result on the same connection.
func (ap *importApplier) write(recs []models.ImportRecord) error {
	if ap.kind != models.ImportContributions || ap.s.dialect.name() != "sqlite" {
		return ap.writeChunk(recs)
	}
	if ap.failed.Load() {
		return ap.wait()
	}
	if ap.work == nil {
		ap.work, ap.done = make(chan []models.ImportRecord, 1), make(chan struct{})
		go ap.writing()
	}
	ap.work <- slices.Clone(recs) // the decision reuses its slice
	return nil
}

func (ap *importApplier) writing() {
	defer close(ap.done)
	defer func() {
		if r := recover(); r != nil {
			ap.err = fmt.Errorf("panic in import write: %v\n%s", r, debug.Stack())
			ap.failed.Store(true)
			for range ap.work {
			}
		}
	}()
	for recs := range ap.work {
		if ap.err == nil {
			if ap.err = ap.writeChunk(recs); ap.err != nil {
				ap.failed.Store(true)
			}
		}
	}
}

// wait ends the writing goroutine, if one runs, and answers its error.
func (ap *importApplier) wait() error {
	if ap.work != nil {
		close(ap.work)
		<-ap.done
		ap.work = nil
	}
	return ap.err
}

var (
	importContributionColumns = []string{"id", "fund_id", "donor_id", "pledge_id", "amount_minor", "currency", "exchange_rate",
		"amount_usd_cents", "received_on", "earmarking", "reference", "notes", "created_at", "created_by"}
	importAuditColumns = []string{"at", "actor_id", "actor", "source_ip", "action", "entity", "entity_id", "before", "after"}
	importRowColumns   = []string{"import_id", "line", "fund_id", "fingerprint", "entity_id"}
)

// writeChunk applies a chunk of records: contributions with one multi-row
// INSERT (their ids reserved first), the other kinds one by one; then their
// audit rows (action import, with the import id) and their fingerprints,
// each with one multi-row INSERT.
func (ap *importApplier) writeChunk(recs []models.ImportRecord) error {
	t := ap.t
	n := len(recs)
	ids := make([]int64, n)
	entities := make([]string, n)
	afters := make([]any, n)
	if ap.kind == models.ImportContributions {
		var err error
		if ids, err = ap.s.dialect.reserveIDs(t.ctx, t.tx, "contributions", n); err != nil {
			return err
		}
		args := make([]any, 0, n*len(importContributionColumns))
		for i, rec := range recs {
			if rec.Contribution == nil {
				return errors.New("import: a contributions import decided another record")
			}
			c := *rec.Contribution
			c.ID = ids[i]
			args = append(args, c.ID, c.FundID, c.DonorID, c.PledgeID, models.ToMinor(c.Amount.Amount, c.Amount.Places), c.Currency,
				c.ExchangeRate.String(), models.ToMinor(c.AmountUSD.Amount, 2), string(c.ReceivedOn), c.Earmarking, c.Reference,
				c.Notes, c.CreatedAt, c.CreatedBy)
			entities[i], afters[i] = "contribution", c
		}
		if err := ap.insert("contributions", importContributionColumns, n, args); err != nil {
			return err
		}
	} else {
		for i, rec := range recs {
			id, entity, after, err := ap.s.applyImportRecord(t, ap.tx, rec)
			if err != nil {
				return err
			}
			ids[i], entities[i], afters[i] = id, entity, after
		}
	}
	actor := ap.a.Email
	if actor == "" {
		actor = "system"
	}
	args := make([]any, 0, n*len(importAuditColumns))
	for i := range recs {
		after, err := models.WithImportID(afters[i], ap.importID)
		if err != nil {
			return err
		}
		args = append(args, t.now, nullable(ap.a.UserID), actor, ap.a.SourceIP, "import", entities[i], nullable(ids[i]), nil, string(after))
	}
	if err := ap.insert("audit_events", importAuditColumns, n, args); err != nil {
		return err
	}
	args = args[:0]
	for i, rec := range recs {
		args = append(args, ap.importID, rec.Line, rec.Fingerprint.FundID, rec.Fingerprint.Fingerprint, ids[i])
	}
	if err := ap.insert("import_rows", importRowColumns, n, args); err != nil {
		if t.isDuplicate(err) {
			return models.Errorf(models.ECONFLICT, "Some rows of this file were imported by another import at the same time: try again.")
		}
		return err
	}
	ap.created += n
	return nil
}

// insert writes n rows into a table with one multi-row INSERT (n is at most
// models.ImportChunk, whose widest row keeps within both engines' limits on
// bound parameters: 32766 for SQLite, 65535 for PostgreSQL).
func (ap *importApplier) insert(table string, cols []string, n int, args []any) error {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
	_, err := ap.exec(q, args...)
	return err
}

// exec runs a statement of this import, prepared once (rebound for PostgreSQL).
func (ap *importApplier) exec(q string, args ...any) (sql.Result, error) {
	st, err := ap.prepared(q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ap.t.ctx, args...)
}

func (ap *importApplier) prepared(q string) (*sql.Stmt, error) {
	if st, ok := ap.stmts[q]; ok {
		return st, nil
	}
	st, err := ap.t.tx.PrepareContext(ap.t.ctx, ap.s.dialect.lockFor(q, ""))
	if err != nil {
		return nil, err
	}
	ap.stmts[q] = st
	return st, nil
}

// applyEffects writes the aggregate changes of the whole file, each row
// once, as ltx.apply does, but with multi-row upserts of the ledger's own
// statements: a statement of 100k rows names tens of thousands of
// fund/donor/day rows. The rows are taken in the same fixed order.
func (ap *importApplier) applyEffects(e models.Effects) error {
	err := ap.applyEffectRows(e)
	if err != nil && errors.Is(ap.t.translate(err), gorm.ErrCheckConstraintViolated) {
		return models.FieldError("amount", "would take a total of the fund past 10^15 USD")
	}
	return err
}

func (ap *importApplier) applyEffectRows(e models.Effects) error {
	t := ap.t
	donorCount := map[int64]int64{}
	donors := models.SortedKeys(e.Donors, func(a, b models.FundDonor) bool {
		return a.FundID < b.FundID || a.FundID == b.FundID && a.DonorID < b.DonorID
	})
	for start := 0; start < len(donors); start += models.ImportChunk {
		keys := donors[start:min(start+models.ImportChunk, len(donors))]
		args := make([]any, 0, 5*len(keys))
		for _, k := range keys {
			d := e.Donors[k]
			args = append(args, k.FundID, k.DonorID, d.Paid, d.Outstanding, d.Live)
		}
		st, err := ap.prepared(multiRow(sqlDonorBumpKeyed, len(keys)))
		if err != nil {
			return err
		}
		rows, err := st.QueryContext(t.ctx, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var k models.FundDonor
			var after int64
			if err := rows.Scan(&k.FundID, &k.DonorID, &after); err != nil {
				rows.Close()
				return err
			}
			switch before := after - e.Donors[k].Live; {
			case before <= 0 && after > 0:
				donorCount[k.FundID]++
			case before > 0 && after <= 0:
				donorCount[k.FundID]--
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	donorDays := models.SortedKeys(e.DonorDays, func(a, b models.FundDonorDay) bool {
		return a.FundID < b.FundID || a.FundID == b.FundID && (a.DonorID < b.DonorID || a.DonorID == b.DonorID && a.Day < b.Day)
	})
	if err := ap.upsert(sqlDonorDayBump, len(donorDays), func(i int) []any {
		k := donorDays[i]
		return []any{k.FundID, k.DonorID, string(k.Day), e.DonorDays[k]}
	}); err != nil {
		return err
	}
	currencies := models.SortedKeys(e.Currencies, func(a, b models.FundCurrency) bool {
		return a.FundID < b.FundID || a.FundID == b.FundID && a.Currency < b.Currency
	})
	if err := ap.upsert(sqlCurrencyBump, len(currencies), func(i int) []any {
		k := currencies[i]
		d := e.Currencies[k]
		return []any{k.FundID, k.Currency, d.PaidMinor, d.PaidCents, d.OutstandingMinor, d.OutstandingCents}
	}); err != nil {
		return err
	}
	days := models.SortedKeys(e.FundDays, func(a, b models.FundDay) bool {
		return a.FundID < b.FundID || a.FundID == b.FundID && a.Day < b.Day
	})
	if err := ap.upsert(sqlDayBump, len(days), func(i int) []any {
		k := days[i]
		d := e.FundDays[k]
		return []any{k.FundID, string(k.Day), d.Paid, d.Outstanding, d.Unearmarked, d.Count, d.TimelinePaid, d.TimelineOutstanding}
	}); err != nil {
		return err
	}
	return t.applyFunds(e.Funds, donorCount)
}

// upsert runs a one-row upsert of the ledger for n rows, models.ImportChunk
// rows per statement.
func (ap *importApplier) upsert(q string, n int, argsOf func(i int) []any) error {
	for start := 0; start < n; start += models.ImportChunk {
		end := min(start+models.ImportChunk, n)
		var args []any
		for i := start; i < end; i++ {
			args = append(args, argsOf(i)...)
		}
		if _, err := ap.exec(multiRow(q, end-start), args...); err != nil {
			return err
		}
	}
	return nil
}

// sqlDonorBumpKeyed is sqlDonorBump answering which row each live count is
// of (a multi-row statement's RETURNING rows come in no promised order).
var sqlDonorBumpKeyed = func() string {
	q, ok := strings.CutSuffix(sqlDonorBump, "RETURNING live_records")
	if !ok {
		panic("store: sqlDonorBump no longer ends with RETURNING live_records")
	}
	return q + "RETURNING fund_id, donor_id, live_records"
}()

// multiRow repeats the VALUES (...) row of a one-row INSERT n times.
func multiRow(q string, n int) string {
	i := strings.Index(q, "VALUES (")
	if i < 0 {
		panic("store: no VALUES row in " + q)
	}
	i += len("VALUES ")
	j := i + strings.IndexByte(q[i:], ')') + 1
	row := q[i:j]
	return q[:i] + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ") + q[j:]
}

// applyImportRecord writes one record an import decided.
func (s *Store) applyImportRecord(t *ltx, tx *gorm.DB, rec models.ImportRecord) (int64, string, any, error) {
	switch {
	case rec.Contribution != nil:
		c := *rec.Contribution
		err := t.row(sqlContributionPut, c.FundID, c.DonorID, c.PledgeID, models.ToMinor(c.Amount.Amount, c.Amount.Places),
			c.Currency, c.ExchangeRate.String(), models.ToMinor(c.AmountUSD.Amount, 2), string(c.ReceivedOn), c.Earmarking,
			c.Reference, c.Notes, c.CreatedAt, c.CreatedBy).Scan(&c.ID)
		return c.ID, "contribution", c, err
	case rec.Pledge != nil:
		pl := *rec.Pledge
		id, err := t.insertPledge(pl)
		pl.ID = id
		return pl.ID, "pledge", pl, err
	case rec.Donor != nil:
		row := donorRowOf(*rec.Donor)
		if err := tx.Create(&row).Error; err != nil {
			return 0, "", nil, err
		}
		return row.ID, "donor", row.model(), nil
	case rec.Rate != nil:
		r := *rec.Rate
		row := rateRow{Currency: r.Currency, EffectiveOn: string(r.EffectiveOn), UnitsPerUSD: r.UnitsPerUSD.String(),
			Source: r.Source, CreatedAt: r.CreatedAt, CreatedBy: r.CreatedBy}
		if err := tx.Create(&row).Error; err != nil {
			return 0, "", nil, s.conflictOnUnique(err, "effective_on", "A rate for this currency and date already exists.")
		}
		return row.ID, "exchange_rate", row.model(), nil
	}
	return 0, "", nil, errors.New("import: empty record")
}

// Imports lists past imports, newest first.
func (s *Store) Imports(ctx context.Context, pg models.PageRequest) (models.Page[models.Import], error) {
	return listPage(s.r.WithContext(ctx).Model(&importRow{}), "id", pg, func(r importRow) models.Import { return r.model() },
		func(i models.Import) int64 { return i.ID })
}

// ImportByID returns a past import.
func (s *Store) ImportByID(ctx context.Context, id int64) (models.Import, error) {
	row, err := takeByID[importRow](s.r.WithContext(ctx).Model(&importRow{}), "id", "import", id)
	return row.model(), err
}
