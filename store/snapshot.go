package store

import (
	"context"
	"sort"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

// Issue 15: the open-data snapshot of a fund as it stood at the end of a day.

// Snapshot and SnapshotContribution live in models (handlers use them without importing the store).
type (
	Snapshot             = models.Snapshot
	SnapshotContribution = models.SnapshotContribution
)

// FundSnapshot reads a fund's snapshot as of asOf (required). Everything is
// derived from the records dated on or before asOf, with voids and
// cancellations counted from the day they happened, so that the donors' sums
// and the timeline's last cumulative figures equal progress as of that day.
func (s *Store) FundSnapshot(ctx context.Context, idOrCode string, asOf models.Date) (snap Snapshot, err error) {
	err = s.snapshotRead(ctx, func(db *gorm.DB) error {
		fr, err := findFund(db, idOrCode)
		if err != nil {
			return err
		}
		snap.Fund = fr.model()
		if snap.Progress, err = s.progressIn(db, idOrCode, asOf); err != nil {
			return err
		}
		if snap.Timeline, err = datedTimeline(db, fr.ID, asOf); err != nil {
			return err
		}
		return snapshotLedger(db, fr.ID, asOf, &snap)
	})
	return snap, err
}

func datedTimeline(db *gorm.DB, fundID int64, asOf models.Date) ([]models.TimelinePoint, error) {
	rows, err := db.Raw(`SELECT day, paid_cents, outstanding_cents FROM fund_day_totals WHERE fund_id = ? AND day <= ?
		AND (paid_cents <> 0 OR outstanding_cents <> 0) ORDER BY day`, fundID, string(asOf)).Rows()
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
	return models.Timeline(days, "month"), rows.Err()
}

func snapshotLedger(db *gorm.DB, fundID int64, asOf models.Date, snap *Snapshot) error {
	type donorAcc struct {
		row               donorRow
		paid, outstanding int64
		live              bool
	}
	donors := map[int64]*donorAcc{}
	donor := func(id int64) (*donorAcc, error) {
		if d, ok := donors[id]; ok {
			return d, nil
		}
		d := &donorAcc{}
		if err := db.Where("id = ?", id).Take(&d.row).Error; err != nil {
			return nil, err
		}
		donors[id] = d
		return d, nil
	}
	var crows []contributionRow
	if err := db.Table("contributions").Where("fund_id = ? AND received_on <= ?", fundID, string(asOf)).
		Order("received_on, id").Find(&crows).Error; err != nil {
		return err
	}
	payments := map[int64][]models.Payment{}
	snap.Contributions = []SnapshotContribution{}
	for _, r := range crows {
		c := r.model()
		if r.PledgeID != nil {
			vd := models.Date(r.VoidDay)
			payments[*r.PledgeID] = append(payments[*r.PledgeID], models.Payment{ReceivedOn: c.ReceivedOn, VoidDay: vd, Amount: c.Amount.Amount})
		}
		if r.VoidDay != "" && r.VoidDay <= string(asOf) {
			continue
		}
		d, err := donor(r.DonorID)
		if err != nil {
			return err
		}
		d.paid += r.AmountUSDCents
		d.live = true
		snap.Contributions = append(snap.Contributions, SnapshotContribution{ReceivedOn: c.ReceivedOn, DonorName: d.row.Name,
			DisplayNames: displayNamesOf(d.row.DisplayNames), Anonymous: d.row.Anonymous, Amount: c.Amount, Currency: c.Currency,
			AmountUSD: c.AmountUSD, Earmarking: c.Earmarking})
	}
	var prows []pledgeRow
	if err := db.Table("pledges").Where("fund_id = ? AND pledged_on <= ?", fundID, string(asOf)).Order("id").Find(&prows).Error; err != nil {
		return err
	}
	for _, r := range prows {
		if r.CancelDay != "" && r.CancelDay <= string(asOf) {
			continue
		}
		rate, _ := models.ParseRate(r.ExchangeRate)
		h := models.PledgeHistory{Amount: models.FromMinor(r.AmountMinor, models.MinorUnits(r.Currency)), Rate: rate.Decimal,
			PledgedOn: models.Date(r.PledgedOn), CancelDay: models.Date(r.CancelDay), Payments: payments[r.ID]}
		d, err := donor(r.DonorID)
		if err != nil {
			return err
		}
		d.outstanding += h.OutstandingOn(asOf)
		d.live = true
	}
	ids := make([]int64, 0, len(donors))
	for id, d := range donors {
		if d.live {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool {
		a, b := donors[ids[i]], donors[ids[j]]
		if a.paid != b.paid {
			return a.paid > b.paid
		}
		if a.outstanding != b.outstanding {
			return a.outstanding > b.outstanding
		}
		return ids[i] < ids[j]
	})
	fundPaid := models.ToMinor(snap.Progress.Paid.Amount, 2)
	snap.Donors = make([]models.DonorShare, 0, len(ids))
	for _, id := range ids {
		d := donors[id]
		m := d.row.model()
		country := m.CountryCode
		if m.Anonymous {
			country = ""
		}
		share := models.NewDonorShare(m.PublicName(), m.Kind, country, m.Anonymous, d.paid, d.outstanding, fundPaid)
		if !m.Anonymous {
			share.DisplayNames = m.DisplayNames
		}
		snap.Donors = append(snap.Donors, share)
	}
	return nil
}
