package store

import (
	"context"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

// Issue 11: the ageing of a fund's open instalments and its cash forecast.
// Both read the fund's pledge states with eachPledgeState (batched, so memory
// does not grow with the ledger) in one snapshot, and leave the bucketing and
// the sums to models.

// FundAgeing ages every open instalment of the pledges live at the end of
// asOf (today by the store's clock when ""). Its buckets sum to progress's
// outstanding_pledges on the same day.
func (s *Store) FundAgeing(ctx context.Context, idOrCode string, asOf models.Date) (out models.Ageing, err error) {
	if asOf == "" {
		asOf = s.today()
	}
	err = s.snapshotRead(ctx, func(db *gorm.DB) error {
		var items []models.AgeingItem
		err := s.eachFundPledgeState(db, idOrCode, asOf, func(st *models.PledgeState) {
			items = append(items, models.AgeingItems(st, asOf)...)
		})
		out = models.NewAgeing(asOf, items)
		return err
	})
	return out, err
}

// FundForecast sums the outstanding of the open instalments of the fund's
// live pledges, as they stand today (by the store's clock), by the month they
// fall due, for months months from from (today's month when "").
func (s *Store) FundForecast(ctx context.Context, idOrCode string, from models.Month, months int) (out models.Forecast, err error) {
	today := s.today()
	if from == "" {
		from = models.MonthOf(today)
	}
	err = s.snapshotRead(ctx, func(db *gorm.DB) error {
		f := models.NewForecast(today, from, months)
		err := s.eachFundPledgeState(db, idOrCode, today, f.Add)
		out = f.Done()
		return err
	})
	return out, err
}

// eachFundPledgeState calls fn for every pledge of a fund live at the end of
// asOf: pledged by then and not cancelled by then.
func (s *Store) eachFundPledgeState(db *gorm.DB, idOrCode string, asOf models.Date, fn func(*models.PledgeState)) error {
	fr, err := findFund(db, idOrCode)
	if err != nil {
		return err
	}
	where := func(q *gorm.DB) *gorm.DB {
		return q.Where("pledges.fund_id = ? AND pledges.pledged_on <= ? AND (pledges.cancel_day = '' OR pledges.cancel_day > ?)",
			fr.ID, string(asOf), string(asOf))
	}
	return eachPledgeState(db, s.today(), where, func(st *models.PledgeState, _ models.Date) error {
		fn(st)
		return nil
	})
}
