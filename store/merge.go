package store

import (
	"context"
	"strconv"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

// Duplicate donors and merges (issue 14).

// duplicateDonor refuses a new donor whose name (case, accents and spaces
// aside) and country are those of a donor already recorded and not merged.
// Names are compared in Go (models.NameKey) over the donors of the same
// country, read through an index: no engine needs to know about accents.
func duplicateDonor(tx *gorm.DB, d models.Donor) error {
	var rows []struct {
		ID   int64
		Name string
	}
	if err := tx.Raw("SELECT id, name FROM donors WHERE country_code = ? AND merged_into IS NULL ORDER BY id",
		d.CountryCode).Scan(&rows).Error; err != nil {
		return err
	}
	key := models.NameKey(d.Name)
	for _, r := range rows {
		if models.NameKey(r.Name) == key {
			where := "with no country"
			if d.CountryCode != "" {
				where = "in " + d.CountryCode
			}
			return &models.Error{Code: models.ECONFLICT, ExistingID: r.ID,
				Message: "Donor " + strconv.FormatInt(r.ID, 10) + " (" + strconv.Quote(r.Name) + ", " + where +
					") has the same name: use it, or send \"allow_duplicate\": true to record another.",
				Fields: map[string]string{"name": "is the name of donor " + strconv.FormatInt(r.ID, 10)}}
		}
	}
	return nil
}

// notMerged reports, as a problem with donor_id, a donor that was merged:
// new records go to the donor it was merged into.
func notMerged(tx *gorm.DB, donorID int64, p models.Problems) error {
	var into []int64
	if err := tx.Raw("SELECT merged_into FROM donors WHERE id = ? AND merged_into IS NOT NULL", donorID).Scan(&into).Error; err != nil {
		return err
	}
	if len(into) == 1 {
		p.Add("donor_id", "donor "+idString(donorID)+" was merged into donor "+idString(into[0]))
	}
	return nil
}

// MergeDonor moves every pledge and contribution of donor id to donor
// in.IntoID and marks donor id as merged: load, decide (models.DecideMerge),
// apply, audit, in one transaction.
func (s *Store) MergeDonor(ctx context.Context, a models.Actor, id int64, in models.MergeInput) (models.Donor, error) {
	var out models.Donor
	err := s.writer.do(ctx, func(tx *gorm.DB) error {
		st, err := s.loadMerge(tx, id, in.IntoID)
		if err != nil {
			return err
		}
		plan, err := models.DecideMerge(st, in, a.Email, s.now())
		if err != nil {
			return err
		}
		if err := s.applyMerge(tx, a, st, plan); err != nil {
			return err
		}
		out = plan.Donor
		return nil
	})
	return out, wrap("merge donor", err)
}

// loadMerge reads what a merge is decided on, locking both donors.
func (s *Store) loadMerge(tx *gorm.DB, id, intoID int64) (models.MergeState, error) {
	var st models.MergeState
	ids := []int64{id}
	if intoID > 0 && intoID != id {
		ids = append(ids, intoID)
	}
	var rows []donorRow
	if err := s.dialect.forUpdate(tx).Where("id IN ?", ids).Order("id").Find(&rows).Error; err != nil {
		return st, err
	}
	found := false
	for _, r := range rows {
		m := r.model()
		if r.ID == id {
			st.From, found = m, true
		}
		if r.ID == intoID {
			st.Into = &m
		}
	}
	if !found {
		return st, notFound("donor", id)
	}
	figures := func(donorID int64) ([]models.DonorFigures, error) {
		var f []models.DonorFigures
		err := tx.Raw(`SELECT fund_id, donor_id, paid_cents, outstanding_cents, live_records AS live
			FROM fund_donor_totals WHERE donor_id = ? ORDER BY fund_id`, donorID).Scan(&f).Error
		return f, err
	}
	var err error
	if st.FromFunds, err = figures(id); err != nil {
		return st, err
	}
	if st.Into != nil {
		if st.IntoFunds, err = figures(intoID); err != nil {
			return st, err
		}
	}
	var days []struct {
		FundID, DonorID int64
		Day             string
		Live            int64
	}
	if err := tx.Raw(`SELECT fund_id, donor_id, day, live_records AS live FROM fund_donor_day_totals
		WHERE donor_id = ? AND live_records <> 0 ORDER BY fund_id, day`, id).Scan(&days).Error; err != nil {
		return st, err
	}
	for _, d := range days {
		st.FromDays = append(st.FromDays, models.DonorDay{FundID: d.FundID, DonorID: d.DonorID, Day: models.Date(d.Day), Live: d.Live})
	}
	if err := s.dialect.forUpdate(tx.Table("pledges")).Where("donor_id = ?", id).Order("id").Pluck("id", &st.Pledges).Error; err != nil {
		return st, err
	}
	if err := s.dialect.forUpdate(tx.Table("contributions")).Where("donor_id = ?", id).Order("id").Pluck("id", &st.Contributions).Error; err != nil {
		return st, err
	}
	return st, nil
}

// applyMerge writes a merge plan and its audit rows.
func (s *Store) applyMerge(tx *gorm.DB, a models.Actor, st models.MergeState, plan models.MergePlan) error {
	into := *plan.Donor.MergedInto
	moved := map[string]any{"donor_id": into}
	for _, t := range []struct {
		table, entity string
		ids           []int64
	}{{"pledges", "pledge", plan.Pledges}, {"contributions", "contribution", plan.Contributions}} {
		if len(t.ids) == 0 {
			continue
		}
		if err := tx.Exec("UPDATE "+t.table+" SET donor_id = ? WHERE donor_id = ?", into, st.From.ID).Error; err != nil {
			return err
		}
		for _, rid := range t.ids {
			if err := s.audit(tx, a, "merge", t.entity, rid, map[string]any{"donor_id": st.From.ID}, moved); err != nil {
				return err
			}
		}
	}
	for _, f := range plan.Funds {
		if err := tx.Exec(`INSERT INTO fund_donor_totals (fund_id, donor_id, paid_cents, outstanding_cents, live_records)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (fund_id, donor_id) DO UPDATE SET paid_cents = fund_donor_totals.paid_cents + excluded.paid_cents,
			outstanding_cents = fund_donor_totals.outstanding_cents + excluded.outstanding_cents,
			live_records = fund_donor_totals.live_records + excluded.live_records`,
			f.FundID, f.DonorID, f.PaidCents, f.OutstandingCents, f.Live).Error; err != nil {
			return err
		}
	}
	for _, d := range plan.Days {
		if err := tx.Exec(`INSERT INTO fund_donor_day_totals (fund_id, donor_id, day, live_records) VALUES (?, ?, ?, ?)
			ON CONFLICT (fund_id, donor_id, day) DO UPDATE SET live_records = fund_donor_day_totals.live_records + excluded.live_records`,
			d.FundID, d.DonorID, string(d.Day), d.Live).Error; err != nil {
			return err
		}
	}
	for _, c := range plan.Counts {
		if err := tx.Exec("UPDATE fund_totals SET donor_count = donor_count + ? WHERE fund_id = ?", c.Delta, c.FundID).Error; err != nil {
			return err
		}
	}
	if err := tx.Model(&donorRow{}).Where("id = ?", st.From.ID).Updates(map[string]any{"merged_into": into,
		"merged_at": *plan.Donor.MergedAt, "merged_by": plan.Donor.MergedBy, "merge_reason": plan.Donor.MergeReason,
		"updated_at": plan.Donor.UpdatedAt}).Error; err != nil {
		return err
	}
	after := struct {
		models.Donor
		PledgesMoved       int `json:"pledges_moved"`
		ContributionsMoved int `json:"contributions_moved"`
	}{plan.Donor, len(plan.Pledges), len(plan.Contributions)}
	return s.audit(tx, a, "merge", "donor", st.From.ID, st.From, after)
}
