package store

import (
	"context"
	"database/sql"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

// Reads for the reports of issue 13: exports with ?voided=, the public donor
// list with ids, and the ledger records that IATI and FTS files are made of.
// Every read streams from a database cursor, so memory stays flat.

func voidedWhere(q *gorm.DB, column, voided string) *gorm.DB {
	switch voided {
	case VoidedExclude:
		return q.Where(column + " IS NULL")
	case VoidedOnly:
		return q.Where(column + " IS NOT NULL")
	}
	return q
}

// ExportContributions streams the contributions that match f and the voided
// choice, oldest first.
func (s *Store) ExportContributions(ctx context.Context, f ContributionFilter, voided string, fn func(models.Contribution) error) error {
	q := voidedWhere(filterContributions(contributionQuery(s.r.WithContext(ctx)), f), "contributions.voided_at", voided)
	rows, err := q.Select(contributionColumns).Order("contributions.id").Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var row contributionRow
		if err := rows.Scan(row.fields()...); err != nil {
			return err
		}
		if err := fn(row.model()); err != nil {
			return err
		}
	}
	return rows.Err()
}

// paidUSDSelect is what a pledge's live payments are worth in USD, each at
// its own rate (the contributions_pledge index answers it).
const paidUSDSelect = `(SELECT COALESCE(SUM(pc.amount_usd_cents), 0) FROM contributions pc
	WHERE pc.pledge_id = pledges.id AND pc.voided_at IS NULL)`

// ExportPledges streams the pledges that match f and the voided choice
// (cancelled pledges count as voided), oldest first, each with the USD
// actually received on it.
func (s *Store) ExportPledges(ctx context.Context, f PledgeFilter, voided string, fn func(p models.Pledge, paidUSD models.Money) error) error {
	today := s.today()
	q := voidedWhere(filterPledges(pledgeQuery(s.r.WithContext(ctx)), f, today), "pledges.cancelled_at", voided)
	rows, err := q.Select(`pledges.id, pledges.fund_id, pledges.donor_id, pledges.amount_minor, pledges.currency,
		pledges.exchange_rate, pledges.amount_usd_cents, pledges.paid_minor, pledges.pledged_on, pledges.due_on, pledges.stage,
		pledges.earmarking, pledges.reference, pledges.notes, pledges.cancelled_at, pledges.cancel_day, pledges.cancel_reason,
		pledges.cancelled_by, pledges.created_at, pledges.created_by, pledges.updated_at, funds.code, donors.name,
		pledges.written_off_minor, pledges.written_off_usd_cents, pledges.next_due_on, ` + paidUSDSelect).
		Order("pledges.id").Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r pledgeRow
		var paidUSD int64
		if err := rows.Scan(&r.ID, &r.FundID, &r.DonorID, &r.AmountMinor, &r.Currency, &r.ExchangeRate, &r.AmountUSDCents,
			&r.PaidMinor, &r.PledgedOn, &r.DueOn, &r.Stage, &r.Earmarking, &r.Reference, &r.Notes, &r.CancelledAt, &r.CancelDay,
			&r.CancelReason, &r.CancelledBy, &r.CreatedAt, &r.CreatedBy, &r.UpdatedAt, &r.FundCode, &r.DonorName,
			&r.WrittenOffMinor, &r.WrittenOffUSDCents, &r.NextDueOn, &paidUSD); err != nil {
			return err
		}
		if err := fn(r.model(today), models.USDCents(paidUSD)); err != nil {
			return err
		}
	}
	return rows.Err()
}

// DonorSharesWithIDs is the whole donor breakdown of a fund (as DonorBreakdown
// orders and masks it) with each donor's id, for the exports.
func (s *Store) DonorSharesWithIDs(ctx context.Context, idOrCode string) (out []DonorShareWithID, err error) {
	err = s.snapshotRead(ctx, func(db *gorm.DB) error {
		fr, err := findFund(db, idOrCode)
		if err != nil {
			return err
		}
		var paidTotal int64
		if err := db.Raw("SELECT paid_cents FROM fund_totals WHERE fund_id = ?", fr.ID).Row().Scan(&paidTotal); err != nil {
			return err
		}
		var rows []struct {
			DonorID          int64
			Name             string
			Kind             string
			CountryCode      string
			Anonymous        bool
			DisplayNames     string
			PaidCents        int64
			OutstandingCents int64
		}
		if err := db.Table("fund_donor_totals t").Select("t.donor_id, d.name, d.kind, d.country_code, d.anonymous, d.display_names, t.paid_cents, t.outstanding_cents").
			Joins("JOIN donors d ON d.id = t.donor_id").Where("t.fund_id = ? AND t.live_records > 0", fr.ID).
			Order("t.paid_cents DESC, t.outstanding_cents DESC, t.donor_id").Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			d := models.Donor{Name: r.Name, Anonymous: r.Anonymous}
			country := r.CountryCode
			if r.Anonymous {
				country = ""
			}
			share := models.NewDonorShare(d.PublicName(), r.Kind, country, r.Anonymous, r.PaidCents, r.OutstandingCents, paidTotal)
			share.DisplayNames = displayNamesOf(r.DisplayNames)
			out = append(out, DonorShareWithID{DonorID: r.DonorID, DonorShare: share})
		}
		return nil
	})
	return out, err
}

// EachLiveRecord streams the live pledges (oldest first), then the live
// contributions (oldest first), that match f. A pledge's paid and written-off
// parts are as they stood at the end of f.AsOf (now when unset).
func (s *Store) EachLiveRecord(ctx context.Context, f RecordFilter, fn func(models.LedgerRecord) error) error {
	db := s.r.WithContext(ctx)
	settled, args := "p.paid_minor, p.written_off_minor", []any(nil)
	if f.AsOf != "" {
		settled = `(SELECT COALESCE(SUM(c.amount_minor), 0) FROM contributions c WHERE c.pledge_id = p.id
			AND c.received_on <= ? AND (c.void_day = '' OR c.void_day > ?)),
			(SELECT COALESCE(SUM(w.amount_minor), 0) FROM pledge_write_offs w WHERE w.pledge_id = p.id AND w.day <= ?)`
		args = []any{string(f.AsOf), string(f.AsOf), string(f.AsOf)}
	}
	pq := db.Table("pledges p").Select(`p.id, p.fund_id, f.code, f.name, f.organization, p.donor_id, d.name, d.kind,
		d.country_code, d.anonymous, d.iati_org_ref, p.amount_minor, p.currency, p.exchange_rate, p.amount_usd_cents, `+settled+`,
		p.pledged_on, p.due_on, p.stage, p.earmarking, p.reference`, args...).
		Joins("JOIN funds f ON f.id = p.fund_id").Joins("JOIN donors d ON d.id = p.donor_id")
	pq = recordWhere(pq, f, "p", "p.pledged_on", "p.cancelled_at", "p.cancel_day").Order("p.pledged_on, p.id")
	err := eachRow(pq, func(rows *sql.Rows) error {
		var r models.LedgerRecord
		var amount, paid, writtenOff int64
		var rate string
		if err := rows.Scan(&r.ID, &r.FundID, &r.FundCode, &r.FundName, &r.FundOrganization, &r.Donor.ID, &r.Donor.Name,
			&r.Donor.Kind, &r.Donor.CountryCode, &r.Donor.Anonymous, &r.DonorIATIRef, &amount, &r.Currency, &rate, &r.AmountUSDCents,
			&paid, &writtenOff, &r.Date, &r.DueOn, &r.Stage, &r.Earmarking, &r.Reference); err != nil {
			return err
		}
		r.Kind = models.RecordPledge
		r.DecisionDate = r.Date
		r.SetAmounts(amount, paid, writtenOff, rate)
		return fn(r)
	})
	if err != nil {
		return err
	}
	cq := db.Table("contributions c").Select(`c.id, c.fund_id, f.code, f.name, f.organization, c.donor_id, d.name, d.kind,
		d.country_code, d.anonymous, d.iati_org_ref, c.amount_minor, c.currency, c.exchange_rate, c.amount_usd_cents,
		c.received_on, c.pledge_id, COALESCE(p.pledged_on, ''), c.earmarking, c.reference`).
		Joins("JOIN funds f ON f.id = c.fund_id").Joins("JOIN donors d ON d.id = c.donor_id").
		Joins("LEFT JOIN pledges p ON p.id = c.pledge_id")
	cq = recordWhere(cq, f, "c", "c.received_on", "c.voided_at", "c.void_day").Order("c.received_on, c.id")
	return eachRow(cq, func(rows *sql.Rows) error {
		var r models.LedgerRecord
		var amount int64
		var rate string
		if err := rows.Scan(&r.ID, &r.FundID, &r.FundCode, &r.FundName, &r.FundOrganization, &r.Donor.ID, &r.Donor.Name,
			&r.Donor.Kind, &r.Donor.CountryCode, &r.Donor.Anonymous, &r.DonorIATIRef, &amount, &r.Currency, &rate, &r.AmountUSDCents,
			&r.Date, &r.PledgeID, &r.DecisionDate, &r.Earmarking, &r.Reference); err != nil {
			return err
		}
		r.Kind = models.RecordContribution
		if r.DecisionDate == "" {
			r.DecisionDate = r.Date
		}
		r.SetAmounts(amount, amount, 0, rate)
		return fn(r)
	})
}

func recordWhere(q *gorm.DB, f RecordFilter, alias, dateCol, goneAtCol, goneDayCol string) *gorm.DB {
	if f.FundID != 0 {
		q = q.Where(alias+".fund_id = ?", f.FundID)
	}
	if f.From != "" {
		q = q.Where(dateCol+" >= ?", string(f.From))
	}
	if f.To != "" {
		q = q.Where(dateCol+" <= ?", string(f.To))
	}
	if f.AsOf == "" {
		return q.Where(goneAtCol + " IS NULL")
	}
	return q.Where(dateCol+" <= ? AND ("+goneDayCol+" = '' OR "+goneDayCol+" > ?)", string(f.AsOf), string(f.AsOf))
}

func eachRow(q *gorm.DB, fn func(*sql.Rows) error) error {
	rows, err := q.Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// FundDonors lists the donors with a record in a fund, by name: the
// participating organisations of an IATI activity.
func (s *Store) FundDonors(ctx context.Context, fundID int64, asOf models.Date) ([]models.Donor, error) {
	var rows []donorRow
	live := func(table, dateCol, goneAt, goneDay string) string {
		if asOf == "" {
			return "SELECT donor_id FROM " + table + " WHERE fund_id = @fund AND " + goneAt + " IS NULL"
		}
		return "SELECT donor_id FROM " + table + " WHERE fund_id = @fund AND " + dateCol + " <= @as_of AND (" + goneDay + " = '' OR " + goneDay + " > @as_of)"
	}
	err := s.r.WithContext(ctx).Raw("SELECT * FROM donors WHERE id IN ("+live("pledges", "pledged_on", "cancelled_at", "cancel_day")+
		" UNION "+live("contributions", "received_on", "voided_at", "void_day")+") ORDER BY name, id",
		map[string]any{"fund": fundID, "as_of": string(asOf)}).Scan(&rows).Error
	out := make([]models.Donor, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, err
}
