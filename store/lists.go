package store

import (
	"context"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

// The pledge and contribution lists' filters, order and totals (issue 14).

// filterList narrows a pledge or contribution query by what the lists share.
func filterList(q *gorm.DB, f models.ListFilter, table string) *gorm.DB {
	if f.Earmarking != "" {
		q = q.Where(table+".earmarking = ?", f.Earmarking)
	}
	if f.Currency != "" {
		q = q.Where(table+".currency = ?", f.Currency)
	}
	if sqlSafe(f.Query) != f.Query {
		return q.Where("1 = 0") // no stored text has NUL or invalid UTF-8
	}
	if f.Query != "" {
		like := "%" + escapeLike(models.Fold(f.Query)) + "%"
		q = q.Where("(ft_fold(donors.name) LIKE ? ESCAPE '\\' OR ft_fold("+table+".reference) LIKE ? ESCAPE '\\')", like, like)
	}
	return q
}

// rateEffectiveOnColumn is the effective_on of the recorded rate a record
// applies, as a column of a list query (null for USD and for a rate no
// recorded rate in force has); the ledger's loads (sqlPledgeLoad,
// sqlContributionLoad) compute it the same way.
func rateEffectiveOnColumn(table, dayColumn string) string {
	return ", (SELECT MAX(r.effective_on) FROM exchange_rates r WHERE r.currency = " + table + ".currency AND r.effective_on <= " +
		table + "." + dayColumn + " AND r.units_per_usd = " + table + ".exchange_rate) AS rate_effective_on"
}

// datePage reads a page of rows, newest first by a date column then id, as models.
func datePage[R, M any](q *gorm.DB, table, dateColumn string, pg models.PageRequest, model func(R) M, key func(M) (string, int64)) (models.Page[M], error) {
	out, err := readRows(datePageQuery(q, table, dateColumn, pg), model)
	return models.NewKeyedPage(out, pg.Limit, key), err
}

// datePageQuery orders newest first by a date column then id, and reads
// the page after the cursor's (date, id), one row more than the page so that
// NewKeyedPage can tell whether there is a next page.
func datePageQuery(q *gorm.DB, table, dateColumn string, pg models.PageRequest) *gorm.DB {
	d, id := table+"."+dateColumn, table+".id"
	if pg.After > 0 {
		if pg.AfterKey == "" {
			// A cursor of the id order, from before lists were sorted by date: go on by id.
			q = q.Where(id+" < ?", pg.After)
		} else {
			q = q.Where("("+d+" < ? OR ("+d+" = ? AND "+id+" < ?))", pg.AfterKey, pg.AfterKey, pg.After)
		}
	}
	return q.Order(d + " DESC").Order(id + " DESC").Limit(pg.Limit + 1)
}

// PledgeTotals sums the pledges a filter matches, cancelled ones left out.
func (s *Store) PledgeTotals(ctx context.Context, f PledgeFilter) (models.ListTotals, error) {
	q := filterPledges(pledgeQuery(s.r.WithContext(ctx)), f, s.today()).Where("pledges.cancelled_at IS NULL")
	return listTotals(q, "pledges")
}

// ContributionTotals sums the contributions a filter matches, voided ones left out.
func (s *Store) ContributionTotals(ctx context.Context, f ContributionFilter) (models.ListTotals, error) {
	q := filterContributions(contributionQuery(s.r.WithContext(ctx)), f).Where("contributions.voided_at IS NULL")
	return listTotals(q, "contributions")
}

// listTotals sums amounts per currency in SQL (integers: exact on both
// engines) and in USD cents.
func listTotals(q *gorm.DB, table string) (models.ListTotals, error) {
	var rows []struct {
		Currency string
		N        int64
		Minor    int64
		Cents    int64
	}
	err := q.Select(table + ".currency AS currency, COUNT(*) AS n, SUM(" + table + ".amount_minor) AS minor, SUM(" + table + ".amount_usd_cents) AS cents").
		Group(table + ".currency").Order(table + ".currency").Scan(&rows).Error
	if err != nil {
		return models.ListTotals{}, err
	}
	t := models.ListTotals{ByCurrency: []models.CurrencyAmount{}}
	var cents int64
	for _, r := range rows {
		t.Count += r.N
		cents += r.Cents
		places := models.MinorUnits(r.Currency)
		t.ByCurrency = append(t.ByCurrency, models.CurrencyAmount{Currency: r.Currency,
			Amount: models.Money{Amount: models.FromMinor(r.Minor, places), Places: places}})
	}
	t.AmountUSD = models.USDCents(cents)
	return t, nil
}
