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

// mergedDonor is what a merge audits: the donor as merged and how many
// records moved.
type mergedDonor struct {
	models.Donor
	PledgesMoved       int `json:"pledges_moved"`
	ContributionsMoved int `json:"contributions_moved"`
}

// MergeDonor moves every pledge and contribution of donor id to donor
// in.IntoID and marks donor id as merged: load, decide (models.DecideMerge),
// apply, with an audit row per record moved and one for the donor, in one
// transaction.
func (s *Store) MergeDonor(ctx context.Context, a models.Actor, id int64, in models.MergeInput) (models.Donor, error) {
	out, _, err := ledgerWrite(s, ctx, a, Idempotency{}, "merge", "donor", func(t *ltx) (written[mergedDonor], error) {
		st, err := s.loadMerge(t, id, in.IntoID)
		if err != nil {
			return written[mergedDonor]{}, err
		}
		w, err := models.DecideMerge(st, in, a.Email, t.now)
		if err != nil {
			return written[mergedDonor]{}, err
		}
		if err := s.applyMerge(t, a, w); err != nil {
			return written[mergedDonor]{}, err
		}
		return written[mergedDonor]{ID: id, Before: st.From, After: mergedDonor{w.Donor, len(w.Pledges), len(w.Contributions)}}, nil
	})
	return out.Donor, err
}

// loadMerge reads what a merge is decided on, locking both donors and the
// merged donor's records.
func (s *Store) loadMerge(t *ltx, id, intoID int64) (models.MergeState, error) {
	var st models.MergeState
	ids := []int64{id}
	if intoID > 0 && intoID != id {
		ids = append(ids, intoID)
	}
	var rows []donorRow
	if err := s.dialect.forUpdate(t.db).Where("id IN ?", ids).Order("id").Find(&rows).Error; err != nil {
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
	if err := t.db.Raw(`SELECT fund_id, donor_id, paid_cents, outstanding_cents, live_records AS live
		FROM fund_donor_totals WHERE donor_id = ? ORDER BY fund_id`, id).Scan(&st.FromFunds).Error; err != nil {
		return st, err
	}
	var days []struct {
		FundID, DonorID int64
		Day             string
		Live            int64
	}
	if err := t.db.Raw(`SELECT fund_id, donor_id, day, live_records AS live FROM fund_donor_day_totals
		WHERE donor_id = ? AND live_records <> 0 ORDER BY fund_id, day`, id).Scan(&days).Error; err != nil {
		return st, err
	}
	for _, d := range days {
		st.FromDays = append(st.FromDays, models.DonorDay{FundID: d.FundID, DonorID: d.DonorID, Day: models.Date(d.Day), Live: d.Live})
	}
	if err := s.dialect.forUpdate(t.db.Table("pledges")).Where("donor_id = ?", id).Order("id").Pluck("id", &st.Pledges).Error; err != nil {
		return st, err
	}
	if err := s.dialect.forUpdate(t.db.Table("contributions")).Where("donor_id = ?", id).Order("id").Pluck("id", &st.Contributions).Error; err != nil {
		return st, err
	}
	return st, nil
}

// applyMerge writes a decided merge: the records moved (an audit row each),
// the aggregates (ltx.apply) and the merged donor.
func (s *Store) applyMerge(t *ltx, a models.Actor, w models.MergeWrite) error {
	from, into := w.Donor.ID, *w.Donor.MergedInto
	moved := map[string]any{"donor_id": into}
	for _, r := range []struct {
		table, entity string
		ids           []int64
	}{{"pledges", "pledge", w.Pledges}, {"contributions", "contribution", w.Contributions}} {
		if len(r.ids) == 0 {
			continue
		}
		if err := t.db.Exec("UPDATE "+r.table+" SET donor_id = ? WHERE donor_id = ?", into, from).Error; err != nil {
			return err
		}
		for _, rid := range r.ids {
			if err := t.audit(a, "merge", r.entity, rid, map[string]any{"donor_id": from}, moved); err != nil {
				return err
			}
		}
	}
	if err := t.apply(w.Effects); err != nil {
		return err
	}
	return t.db.Model(&donorRow{}).Where("id = ?", from).Updates(map[string]any{"merged_into": into,
		"merged_at": *w.Donor.MergedAt, "merged_by": w.Donor.MergedBy, "merge_reason": w.Donor.MergeReason,
		"updated_at": w.Donor.UpdatedAt}).Error
}
