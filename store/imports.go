package store

import (
	"context"
	"errors"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

// Issue 12: imports. One import is one write transaction: load (what the
// rows name, through importLoader), decide (models.DecideImport, every row
// in file order, the aggregate changes summed in memory), apply (the records,
// their fingerprints and audit rows, each aggregate row once).

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

// importLoader is what DecideImport reads, in the import's transaction.
//
// Record answers from what was loaded once per import (funds, donors, the
// totals of every fund and currency, a fund's donor totals the first time
// the file names the fund, the rate in force once per currency and day)
// rather than with one statement per row (ltx.loadRecord): a 100k-row file
// names thousands of fund/donor/day keys.
type importLoader struct {
	t       *ltx
	tx      *gorm.DB
	pledges map[int64]*models.PledgeState

	funds      map[int64]string
	donorNames map[int64]string
	fundTotals map[int64]models.FundTotal
	curTotals  map[models.FundCurrency]models.CurrencyTotal
	donorTots  map[int64]map[int64]models.FundTotal // fund -> donor -> totals
	rates      map[models.RateKey]*models.Rate
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
	l.funds = out
	return out, nil
}

func (l *importLoader) Donors() ([]models.ImportDonor, error) {
	var rows []models.ImportDonor
	err := l.tx.Raw("SELECT id, name, country_code FROM donors ORDER BY id").Scan(&rows).Error
	l.donorNames = make(map[int64]string, len(rows))
	for _, d := range rows {
		l.donorNames[d.ID] = d.Name
	}
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

func (l *importLoader) Seen(fps []models.ImportFingerprint) (map[models.ImportFingerprint]bool, error) {
	out := map[models.ImportFingerprint]bool{}
	byFund := map[int64][]string{}
	for _, fp := range fps {
		byFund[fp.FundID] = append(byFund[fp.FundID], fp.Fingerprint)
	}
	// By fund, then fingerprint: the order of the unique index.
	for _, fund := range models.SortedKeys(byFund, func(a, b int64) bool { return a < b }) {
		list := byFund[fund]
		for start := 0; start < len(list); start += 500 {
			var found []string
			if err := l.tx.Raw("SELECT fingerprint FROM import_rows WHERE fund_id = ? AND fingerprint IN ?", fund,
				list[start:min(start+500, len(list))]).Scan(&found).Error; err != nil {
				return nil, err
			}
			for _, f := range found {
				out[models.ImportFingerprint{FundID: fund, Fingerprint: f}] = true
			}
		}
	}
	return out, nil
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

// Import decides an import and, in mode commit with no invalid row, applies
// it. It answers the decision's figures and, when committed, the import.
func (s *Store) Import(ctx context.Context, a models.Actor, req models.ImportRequest) (models.ImportDryRunResult, *models.ImportCommitResult, *Replay, error) {
	var res models.ImportDryRunResult
	var out *models.ImportCommitResult
	var rep *Replay
	err := s.writer.do(ctx, func(tx *gorm.DB) error {
		out = nil
		t, err := s.ledger(tx)
		if err != nil {
			return err
		}
		if req.Mode == models.ImportCommit {
			if rep, err = t.replayed(a, req.Idem); err != nil || rep != nil {
				return err
			}
		}
		ld := &importLoader{t: t, tx: tx, pledges: map[int64]*models.PledgeState{}}
		d, err := models.DecideImport(req, ld, t.today(), t.now, a.Email)
		if err != nil {
			return err
		}
		res = d.Result
		if req.Mode != models.ImportCommit || res.Invalid > 0 {
			return nil
		}
		imp := importRow{Kind: req.Kind, Filename: req.Filename, Size: req.Size, SHA256: req.SHA256, RowCount: res.Rows,
			CreatedCount: len(d.Records), DuplicateCount: res.Duplicates, CreatedAt: t.now, CreatedBy: a.Email}
		if a.UserID != 0 {
			uid := a.UserID
			imp.UserID = &uid
		}
		if err := tx.Create(&imp).Error; err != nil {
			return err
		}
		fps := make([]importFingerprintRow, 0, len(d.Records))
		for _, rec := range d.Records {
			id, entity, after, err := s.applyImportRecord(t, tx, rec)
			if err != nil {
				return err
			}
			audited, err := models.WithImportID(after, imp.ID)
			if err != nil {
				return err
			}
			if err := t.audit(a, "import", entity, id, nil, audited); err != nil {
				return err
			}
			fps = append(fps, importFingerprintRow{ImportID: imp.ID, Line: rec.Line, FundID: rec.Fingerprint.FundID,
				Fingerprint: rec.Fingerprint.Fingerprint, EntityID: id})
		}
		for _, id := range models.SortedKeys(d.Pledges, func(a, b int64) bool { return a < b }) {
			if err := t.setPledge(d.Pledges[id].Pledge); err != nil {
				return err
			}
		}
		if err := t.apply(d.Effects); err != nil {
			return err
		}
		if len(fps) > 0 {
			if err := tx.CreateInBatches(fps, 200).Error; err != nil {
				if t.isDuplicate(err) {
					return models.Errorf(models.ECONFLICT, "Some rows of this file were imported by another import at the same time: try again.")
				}
				return err
			}
		}
		m := imp.model()
		if err := t.audit(a, "import", "import", imp.ID, nil, m); err != nil {
			return err
		}
		out = &models.ImportCommitResult{ID: imp.ID, Kind: imp.Kind, Created: imp.CreatedCount, Duplicates: imp.DuplicateCount,
			Totals: res.Totals, SHA256: imp.SHA256}
		return t.remember(a, req.Idem, 201, out)
	})
	return res, out, rep, wrap("import", err)
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
