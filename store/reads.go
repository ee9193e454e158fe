package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

// Progress reports how far a fund has come. With asOf, the figures are as
// they stood at the end of that day, from the per-day aggregates; without, from
// the fund's totals. Either way the cost does not grow with the ledger.
func (s *Store) Progress(ctx context.Context, idOrCode string, asOf models.Date) (p models.Progress, err error) {
	if asOf == "" {
		// One statement, no transaction: a lost PostgreSQL connection read
		// nothing, so it runs once more, then answers unavailable (as snapshotRead).
		p, err = s.progressNow(ctx, idOrCode)
		if s.lostConn(err) && ctx.Err() == nil {
			p, err = s.progressNow(ctx, idOrCode)
		}
		if s.lostConn(err) {
			err = unavailable(err)
		}
		return p, err
	}
	err = s.snapshotRead(ctx, func(db *gorm.DB) error {
		p, err = s.progressIn(db, idOrCode, asOf)
		return err
	})
	return p, err
}

// progressNowSQL reads a fund, its totals and its first live contribution in
// one statement (one snapshot, with no transaction around it): the public
// read that is asked most.
const progressNowSQL = `SELECT f.id, f.code, f.name, f.organization, f.description, f.target_cents, f.opens_on, f.closes_on,
	f.created_at, f.updated_at, f.iati_identifier, f.iati_reporting_org_ref, f.iati_reporting_org_type, f.iati_reporting_org_name,
	f.require_agreement_for_commitment, f.translations,
	t.paid_cents, t.outstanding_cents, t.paid_unearmarked_cents, t.donor_count, t.contribution_count,
	d.name, d.anonymous, d.display_names, c.received_on
	FROM funds f JOIN fund_totals t ON t.fund_id = f.id
	LEFT JOIN contributions c ON c.id = (SELECT x.id FROM contributions x WHERE x.fund_id = f.id AND x.voided_at IS NULL
		ORDER BY x.received_on, x.id LIMIT 1)
	LEFT JOIN donors d ON d.id = c.donor_id
	WHERE `

// progressNow is Progress as it stands now.
func (s *Store) progressNow(ctx context.Context, idOrCode string) (models.Progress, error) {
	where, arg := "f.code = ?", any(idOrCode)
	if id, err := strconv.ParseInt(idOrCode, 10, 64); err == nil {
		where, arg = "f.id = ?", id
	} else if sqlSafe(idOrCode) != idOrCode {
		return models.Progress{}, models.Errorf(models.ENOTFOUND, "No fund %q.", idOrCode)
	}
	var fr fundRow
	var t models.Totals
	var donor, displayNames, received sql.NullString
	var anonymous sql.NullBool
	err := s.r.WithContext(ctx).Raw(progressNowSQL+where, arg).Row().Scan(&fr.ID, &fr.Code, &fr.Name, &fr.Organization,
		&fr.Description, &fr.TargetCents, &fr.OpensOn, &fr.ClosesOn, &fr.CreatedAt, &fr.UpdatedAt, &fr.IATIIdentifier,
		&fr.IATIReportingOrgRef, &fr.IATIReportingOrgType, &fr.IATIReportingOrgName, &fr.RequireAgreementForCommitment,
		&fr.Translations, &t.PaidCents, &t.OutstandingCents, &t.PaidUnearmarkedCents, &t.DonorCount, &t.ContributionCount,
		&donor, &anonymous, &displayNames, &received)
	if errors.Is(err, sql.ErrNoRows) {
		return models.Progress{}, models.Errorf(models.ENOTFOUND, "No fund %q.", idOrCode)
	}
	if err != nil {
		return models.Progress{}, err
	}
	var first *models.FirstContribution
	if received.Valid {
		d := models.Donor{Name: donor.String, Anonymous: anonymous.Bool}
		first = &models.FirstContribution{Donor: d.PublicName(), ReceivedOn: models.Date(received.String),
			Anonymous: d.Anonymous, DonorName: d.Name, DisplayNames: displayNamesOf(displayNames.String)}
	}
	return models.NewProgress(fr.model(), t, first, s.today()), nil
}

// snapshotRead runs reads that must agree with each other in one read-only
// transaction, so that a write committed between them cannot show a state
// that never existed.
//
// A read that lost its PostgreSQL connection committed nothing: it runs once
// more, then answers unavailable (unavailable.go).
func (s *Store) snapshotRead(ctx context.Context, fn func(db *gorm.DB) error) error {
	err := s.r.WithContext(ctx).Transaction(fn, s.dialect.snapshot())
	if s.lostConn(err) && ctx.Err() == nil {
		err = s.r.WithContext(ctx).Transaction(fn, s.dialect.snapshot())
	}
	if s.lostConn(err) {
		return unavailable(err)
	}
	return err
}

func (s *Store) progressIn(db *gorm.DB, idOrCode string, asOf models.Date) (models.Progress, error) {
	fr, err := findFund(db, idOrCode)
	if err != nil {
		return models.Progress{}, err
	}
	var t models.Totals
	if asOf == "" {
		err = db.Raw(`SELECT paid_cents, outstanding_cents, paid_unearmarked_cents, donor_count, contribution_count
			FROM fund_totals WHERE fund_id = ?`, fr.ID).Row().Scan(&t.PaidCents, &t.OutstandingCents, &t.PaidUnearmarkedCents, &t.DonorCount, &t.ContributionCount)
	} else {
		err = db.Raw(`SELECT COALESCE(SUM(paid_cents), 0), COALESCE(SUM(outstanding_cents), 0), COALESCE(SUM(paid_unearmarked_cents), 0),
			COALESCE(SUM(contribution_count), 0) FROM fund_day_totals WHERE fund_id = ? AND day <= ?`, fr.ID, string(asOf)).
			Row().Scan(&t.PaidCents, &t.OutstandingCents, &t.PaidUnearmarkedCents, &t.ContributionCount)
		if err == nil {
			err = db.Raw(`SELECT COUNT(*) FROM (SELECT donor_id FROM fund_donor_day_totals WHERE fund_id = ? AND day <= ?
				GROUP BY donor_id HAVING SUM(live_records) > 0) AS live`, fr.ID, string(asOf)).Row().Scan(&t.DonorCount)
		}
	}
	if err != nil {
		return models.Progress{}, err
	}
	first, err := firstContribution(db, fr.ID, asOf)
	if err != nil {
		return models.Progress{}, err
	}
	if asOf == "" {
		asOf = s.today()
	}
	return models.NewProgress(fr.model(), t, first, asOf), nil
}

// firstContribution finds the earliest contribution live at the end of asOf
// (or now), by received_on then id.
func firstContribution(db *gorm.DB, fundID int64, asOf models.Date) (*models.FirstContribution, error) {
	q := db.Table("contributions").Select("donors.name, donors.anonymous, donors.display_names, contributions.received_on").
		Joins("JOIN donors ON donors.id = contributions.donor_id").Where("contributions.fund_id = ?", fundID)
	if asOf == "" {
		q = q.Where("contributions.voided_at IS NULL")
	} else {
		q = q.Where("contributions.received_on <= ? AND (contributions.void_day = '' OR contributions.void_day > ?)", string(asOf), string(asOf))
	}
	var rows []struct {
		Name         string
		Anonymous    bool
		DisplayNames string
		ReceivedOn   string
	}
	if err := q.Order("contributions.received_on, contributions.id").Limit(1).Scan(&rows).Error; err != nil || len(rows) == 0 {
		return nil, err
	}
	d := models.Donor{Name: rows[0].Name, Anonymous: rows[0].Anonymous}
	return &models.FirstContribution{Donor: d.PublicName(), ReceivedOn: models.Date(rows[0].ReceivedOn),
		Anonymous: d.Anonymous, DonorName: d.Name, DisplayNames: displayNamesOf(rows[0].DisplayNames)}, nil
}

// DonorBreakdown lists a fund's donors with a live record, most paid first,
// anonymous donors masked. The page cursor is a position in that order.
func (s *Store) DonorBreakdown(ctx context.Context, idOrCode string, pg models.PageRequest) (page models.Page[models.DonorShare], err error) {
	err = s.snapshotRead(ctx, func(db *gorm.DB) error {
		page, err = s.donorBreakdownIn(db, idOrCode, pg)
		return err
	})
	return page, err
}

func (s *Store) donorBreakdownIn(db *gorm.DB, idOrCode string, pg models.PageRequest) (models.Page[models.DonorShare], error) {
	fr, err := findFund(db, idOrCode)
	if err != nil {
		return models.Page[models.DonorShare]{}, err
	}
	var paidTotal int64
	if err := db.Raw("SELECT paid_cents FROM fund_totals WHERE fund_id = ?", fr.ID).Row().Scan(&paidTotal); err != nil {
		return models.Page[models.DonorShare]{}, err
	}
	var rows []struct {
		Name             string
		Kind             string
		CountryCode      string
		Anonymous        bool
		DisplayNames     string
		PaidCents        int64
		OutstandingCents int64
	}
	q := db.Table("fund_donor_totals t").Select("d.name, d.kind, d.country_code, d.anonymous, d.display_names, t.paid_cents, t.outstanding_cents").
		Joins("JOIN donors d ON d.id = t.donor_id").Where("t.fund_id = ? AND t.live_records > 0", fr.ID).
		Order("t.paid_cents DESC, t.outstanding_cents DESC, t.donor_id")
	if pg.Limit > 0 {
		q = q.Offset(int(pg.After)).Limit(pg.Limit + 1)
	}
	if err := q.Scan(&rows).Error; err != nil {
		return models.Page[models.DonorShare]{}, err
	}
	shares := make([]models.DonorShare, len(rows))
	for i, r := range rows {
		d := models.Donor{Name: r.Name, Anonymous: r.Anonymous}
		country := r.CountryCode
		if r.Anonymous {
			country = "" // a country can name a donor (a government) as surely as a name
		}
		shares[i] = models.NewDonorShare(d.PublicName(), r.Kind, country, r.Anonymous, r.PaidCents, r.OutstandingCents, paidTotal)
		if !r.Anonymous {
			shares[i].DisplayNames = displayNamesOf(r.DisplayNames)
		}
	}
	if pg.Limit <= 0 {
		return models.Page[models.DonorShare]{Items: shares}, nil
	}
	page := models.NewPage(shares, pg.Limit, func(models.DonorShare) int64 { return 0 })
	if page.Next != nil {
		page.Next = models.EncodeCursor(pg.After + int64(pg.Limit))
	}
	return page, nil
}

// Timeline lists a fund's paid and pledged figures per day or month, as the
// ledger stands now: voided contributions and cancelled pledges' outstanding
// are in no period (progress?as_of= instead dates voids and cancellations).
func (s *Store) Timeline(ctx context.Context, idOrCode, interval string) ([]models.TimelinePoint, error) {
	db := s.r.WithContext(ctx)
	fr, err := findFund(db, idOrCode)
	if err != nil {
		return nil, err
	}
	// Months are summed in SQL: a handful of rows leave the database whatever
	// the number of days with activity.
	period := "day"
	if interval == "month" {
		period = "substr(day, 1, 7)"
	}
	rows, err := db.Raw(`SELECT `+period+` AS period, SUM(timeline_paid_cents), SUM(timeline_outstanding_cents) FROM fund_day_totals
		WHERE fund_id = ? GROUP BY period
		HAVING SUM(timeline_paid_cents) <> 0 OR SUM(timeline_outstanding_cents) <> 0 ORDER BY period`, fr.ID).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var days []models.DayTotals
	for rows.Next() {
		var d models.DayTotals
		if err := rows.Scan(&d.Day, &d.PaidCents, &d.OutstandingCents); err != nil {
			return nil, err
		}
		days = append(days, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return models.Timeline(days, interval), nil
}
