package store

import (
	"context"
	"strings"

	"github.com/fundtracker/fundtracker/models"
	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

// CreateRate records an exchange rate; one per currency and date.
func (s *Store) CreateRate(ctx context.Context, a models.Actor, in models.ExchangeRateInput, idem Idempotency) (models.ExchangeRate, *Replay, error) {
	r, err := in.Validate()
	if err != nil {
		return r, nil, err
	}
	var rep *Replay
	err = s.writer.do(ctx, func(tx *gorm.DB) (err error) {
		if rep, err = s.replayed(tx, a, idem); err != nil || rep != nil {
			return err
		}
		var n int64
		if err := tx.Model(&rateRow{}).Where("currency = ? AND effective_on = ?", r.Currency, string(r.EffectiveOn)).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return &models.Error{Code: models.ECONFLICT, Message: "A rate for " + r.Currency + " effective on " + string(r.EffectiveOn) + " already exists.",
				Fields: map[string]string{"effective_on": "already has a rate for " + r.Currency}}
		}
		row := rateRow{Currency: r.Currency, EffectiveOn: string(r.EffectiveOn), UnitsPerUSD: r.UnitsPerUSD.String(),
			Source: r.Source, CreatedAt: s.now(), CreatedBy: a.Email}
		if err := tx.Create(&row).Error; err != nil {
			return s.conflictOnUnique(err, "effective_on", "A rate for this currency and date already exists.")
		}
		r = row.model()
		if err := s.audit(tx, a, "create", "exchange_rate", r.ID, nil, r); err != nil {
			return err
		}
		return s.remember(tx, a, idem, 201, r)
	})
	return r, rep, wrap("create rate", err)
}

// Rates lists exchange rates, newest first, optionally of one currency.
func (s *Store) Rates(ctx context.Context, currency string, pg models.PageRequest) (models.Page[models.ExchangeRate], error) {
	q := s.r.WithContext(ctx).Model(&rateRow{})
	if currency != "" {
		q = q.Where("currency = ?", currency)
	}
	return listPage(q, "id", pg, func(r rateRow) models.ExchangeRate { return r.model() }, func(r models.ExchangeRate) int64 { return r.ID })
}

// rateOn returns the rate of a currency in force on a day: the one with the
// latest effective_on on or before it. USD is always 1.
func rateOn(db *gorm.DB, currency string, day models.Date) (models.ExchangeRate, error) {
	if currency == models.ReportingCurrency {
		return models.ExchangeRate{Currency: currency, EffectiveOn: day, UnitsPerUSD: models.One}, nil
	}
	var row rateRow
	err := db.Where("currency = ? AND effective_on <= ?", currency, string(day)).Order("effective_on DESC").Take(&row).Error
	if isNotFound(err) {
		return models.ExchangeRate{}, &models.Error{Code: models.EINVALID,
			Message: "No exchange rate for " + currency + " in force on " + string(day) + ": record one, or give exchange_rate.",
			Fields:  map[string]string{"exchange_rate": "no rate for " + currency + " in force on " + string(day)}}
	}
	return row.model(), err
}

// Quote answers what an amount is worth in USD on a day, at the rate in force.
func (s *Store) Quote(ctx context.Context, currency string, on models.Date, amount decimal.Decimal, hasAmount bool) (models.Quote, error) {
	r, err := rateOn(s.r.WithContext(ctx), currency, on)
	if err != nil {
		return models.Quote{}, err
	}
	q := models.Quote{Currency: currency, On: on, UnitsPerUSD: r.UnitsPerUSD, EffectiveOn: r.EffectiveOn}
	if hasAmount {
		m := models.NewMoney(amount, currency)
		usd := models.USD(models.ToUSD(amount, r.UnitsPerUSD.Decimal))
		q.Amount, q.AmountUSD = &m, &usd
	}
	return q, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
