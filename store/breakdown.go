package store

import (
	"context"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

// FundBreakdown sums a fund's live contributions at the end of asOf (or now)
// by earmarking and by currency, in SQL integers (issue 14). Earmarking has no
// aggregate table, so this reads the fund's contributions through the
// (fund_id, received_on, id) index: fine for a public page that is cached by
// ETag, though it grows with the fund's ledger.
func (s *Store) FundBreakdown(ctx context.Context, idOrCode string, asOf models.Date) (b models.FundBreakdown, err error) {
	err = s.snapshotRead(ctx, func(db *gorm.DB) error {
		fr, err := findFund(db, idOrCode)
		if err != nil {
			return err
		}
		day := asOf
		if day == "" {
			day = s.today()
		}
		live := func() *gorm.DB {
			q := db.Table("contributions").Where("fund_id = ?", fr.ID)
			if asOf == "" {
				return q.Where("voided_at IS NULL")
			}
			return q.Where("received_on <= ? AND (void_day = '' OR void_day > ?)", string(asOf), string(asOf))
		}
		var ears []struct {
			Earmarking string
			N, Cents   int64
		}
		if err := live().Select("earmarking, COUNT(*) AS n, SUM(amount_usd_cents) AS cents").Group("earmarking").
			Order("earmarking").Scan(&ears).Error; err != nil {
			return err
		}
		var curs []struct {
			Currency        string
			N, Minor, Cents int64
		}
		if err := live().Select("currency, COUNT(*) AS n, SUM(amount_minor) AS minor, SUM(amount_usd_cents) AS cents").Group("currency").
			Order("currency").Scan(&curs).Error; err != nil {
			return err
		}
		var total int64
		for _, e := range ears {
			total += e.Cents
		}
		paid := models.USDCents(total)
		b = models.FundBreakdown{FundID: fr.ID, FundCode: fr.Code, AsOf: day, Paid: paid,
			ByEarmarking: []models.EarmarkingShare{}, ByCurrency: []models.CurrencyShare{}}
		for _, name := range models.Earmarkings { // every earmarking, in the contract's order
			share := models.EarmarkingShare{Earmarking: name, Paid: models.USDCents(0), SharePaidPercent: "0.00"}
			for _, e := range ears {
				if e.Earmarking == name {
					share.Paid, share.ContributionCount = models.USDCents(e.Cents), e.N
					share.SharePaidPercent = models.Percent(share.Paid.Amount, paid.Amount)
				}
			}
			b.ByEarmarking = append(b.ByEarmarking, share)
		}
		for _, c := range curs {
			places := models.MinorUnits(c.Currency)
			usd := models.USDCents(c.Cents)
			b.ByCurrency = append(b.ByCurrency, models.CurrencyShare{Currency: c.Currency,
				Amount: models.Money{Amount: models.FromMinor(c.Minor, places), Places: places}, PaidUSD: usd,
				ContributionCount: c.N, SharePaidPercent: models.Percent(usd.Amount, paid.Amount)})
		}
		return nil
	})
	return b, err
}
