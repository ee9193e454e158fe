package store

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

func hours(n int) time.Duration { return time.Duration(n) * time.Hour }

func mustDay(d models.Date) time.Time {
	t, _ := time.Parse(models.DateLayout, string(d))
	return t
}

// findFund reads a fund by numeric id or by code.
func findFund(db *gorm.DB, idOrCode string) (fundRow, error) {
	var row fundRow
	var err error
	if id, perr := strconv.ParseInt(idOrCode, 10, 64); perr == nil {
		err = db.Where("id = ?", id).Take(&row).Error
	} else if sqlSafe(idOrCode) != idOrCode {
		err = gorm.ErrRecordNotFound
	} else {
		err = db.Where("code = ?", idOrCode).Take(&row).Error
	}
	if isNotFound(err) {
		return row, models.Errorf(models.ENOTFOUND, "No fund %q.", idOrCode)
	}
	return row, err
}

// Fund returns a fund by id or code.
func (s *Store) Fund(ctx context.Context, idOrCode string) (models.Fund, error) {
	row, err := findFund(s.r.WithContext(ctx), idOrCode)
	return row.model(), err
}

// Funds lists funds, newest first.
func (s *Store) Funds(ctx context.Context, pg models.PageRequest) (models.Page[models.Fund], error) {
	return listPage(s.r.WithContext(ctx), "id", pg, func(r fundRow) models.Fund { return r.model() }, func(f models.Fund) int64 { return f.ID })
}

// CreateFund records a new fund.
func (s *Store) CreateFund(ctx context.Context, a models.Actor, in models.FundInput, idem Idempotency) (models.Fund, *Replay, error) {
	var f models.Fund
	if err := in.Apply(&f, false); err != nil {
		return f, nil, err
	}
	var rep *Replay
	err := s.writer.do(ctx, func(tx *gorm.DB) (err error) {
		if rep, err = s.replayed(tx, a, idem); err != nil || rep != nil {
			return err
		}
		if err := s.codeFree(tx, f.Code, 0); err != nil {
			return err
		}
		f.CreatedAt, f.UpdatedAt = s.now(), s.now()
		row := fundRowOf(f)
		if err := tx.Create(&row).Error; err != nil {
			return s.conflictOnUnique(err, "code", "A fund with this code already exists.")
		}
		if err := tx.Exec("INSERT INTO fund_totals (fund_id) VALUES (?)", row.ID).Error; err != nil {
			return err
		}
		f = row.model()
		if err := s.audit(tx, a, "create", "fund", f.ID, nil, f); err != nil {
			return err
		}
		return s.remember(tx, a, idem, 201, f)
	})
	return f, rep, wrap("create fund", err)
}

// UpdateFund changes a fund.
func (s *Store) UpdateFund(ctx context.Context, a models.Actor, idOrCode string, in models.FundInput) (models.Fund, error) {
	var f models.Fund
	err := s.writer.do(ctx, func(tx *gorm.DB) error {
		row, err := findFund(s.dialect.forUpdate(tx), idOrCode)
		if err != nil {
			return err
		}
		before := row.model()
		f = before
		if err := in.Apply(&f, true); err != nil {
			return err
		}
		if models.Same(before, f) {
			return nil // a patch that changes nothing writes nothing
		}
		if err := s.codeFree(tx, f.Code, f.ID); err != nil {
			return err
		}
		f.UpdatedAt = s.now()
		newRow := fundRowOf(f)
		if err := tx.Save(&newRow).Error; err != nil {
			return s.conflictOnUnique(err, "code", "A fund with this code already exists.")
		}
		f = newRow.model()
		return s.audit(tx, a, "update", "fund", f.ID, before, f)
	})
	return f, wrap("update fund", err)
}

func (s *Store) codeFree(tx *gorm.DB, code string, except int64) error {
	var n int64
	if err := tx.Model(&fundRow{}).Where("code = ? AND id <> ?", code, except).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return &models.Error{Code: models.ECONFLICT, Message: "A fund with code " + strconv.Quote(code) + " already exists.",
			Fields: map[string]string{"code": "is already used by another fund"}}
	}
	return nil
}

// conflictOnUnique turns a unique-constraint violation into a 409 naming the field.
func (s *Store) conflictOnUnique(err error, field, msg string) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return &models.Error{Code: models.ECONFLICT, Message: msg, Fields: map[string]string{field: "is already used"}}
	}
	return err
}

// Donor returns a donor by id.
func (s *Store) Donor(ctx context.Context, id int64) (models.Donor, error) {
	var row donorRow
	err := s.r.WithContext(ctx).Where("id = ?", id).Take(&row).Error
	if isNotFound(err) {
		return models.Donor{}, notFound("donor", id)
	}
	return row.model(), err
}

// Donors lists donors, newest first.
func (s *Store) Donors(ctx context.Context, f DonorFilter, pg models.PageRequest) (models.Page[models.Donor], error) {
	q := s.r.WithContext(ctx).Model(&donorRow{})
	if !f.IncludeMerged {
		q = q.Where("merged_into IS NULL")
	}
	if f.FundID != 0 {
		q = q.Where("id IN (SELECT donor_id FROM fund_donor_day_totals WHERE fund_id = ?)", f.FundID)
	}
	if sqlSafe(f.Query) != f.Query {
		q = q.Where("1 = 0")
	} else if f.Query != "" {
		q = q.Where(s.dialect.lower("name")+" LIKE ? ESCAPE '\\'", "%"+escapeLike(strings.ToLower(f.Query))+"%")
	}
	return listPage(q, "id", pg, func(r donorRow) models.Donor { return r.model() }, func(d models.Donor) int64 { return d.ID })
}

// CreateDonor records a donor.
func (s *Store) CreateDonor(ctx context.Context, a models.Actor, in models.DonorInput, idem Idempotency) (models.Donor, *Replay, error) {
	var d models.Donor
	if err := in.Apply(&d, false); err != nil {
		return d, nil, err
	}
	var rep *Replay
	err := s.writer.do(ctx, func(tx *gorm.DB) (err error) {
		if rep, err = s.replayed(tx, a, idem); err != nil || rep != nil {
			return err
		}
		if in.AllowDuplicate == nil || !*in.AllowDuplicate {
			if err := duplicateDonor(tx, d); err != nil {
				return err
			}
		}
		d.CreatedAt, d.UpdatedAt = s.now(), s.now()
		row := donorRowOf(d)
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		d = row.model()
		if err := s.audit(tx, a, "create", "donor", d.ID, nil, d); err != nil {
			return err
		}
		return s.remember(tx, a, idem, 201, d)
	})
	return d, rep, wrap("create donor", err)
}

// UpdateDonor changes a donor.
func (s *Store) UpdateDonor(ctx context.Context, a models.Actor, id int64, in models.DonorInput) (models.Donor, error) {
	var d models.Donor
	err := s.writer.do(ctx, func(tx *gorm.DB) error {
		var row donorRow
		if err := s.dialect.forUpdate(tx).Where("id = ?", id).Take(&row).Error; err != nil {
			if isNotFound(err) {
				return notFound("donor", id)
			}
			return err
		}
		before := row.model()
		if before.MergedInto != nil {
			return models.Errorf(models.ECONFLICT, "Donor %d was merged into donor %d: change that one.", id, *before.MergedInto)
		}
		d = before
		if err := in.Apply(&d, true); err != nil {
			return err
		}
		if models.Same(before, d) {
			return nil // a patch that changes nothing writes nothing
		}
		d.UpdatedAt = s.now()
		row = donorRowOf(d)
		if err := tx.Save(&row).Error; err != nil {
			return err
		}
		d = row.model()
		return s.audit(tx, a, "update", "donor", d.ID, before, d)
	})
	return d, wrap("update donor", err)
}
