package store

import (
	"sort"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

// The aggregates are kept exact in the same transaction as each write, so
// that progress, the donor breakdown and the timeline read a handful of rows
// whatever the size of the ledger. Each figure lives in a total (now) and in
// per-day changes (for ?as_of= and the timeline); the two always agree, and a
// test recomputes both from the rows after random writes.

// figures is a change to a fund's USD figures on a day, in cents: the dated
// view (for ?as_of=) and the timeline's view (the ledger as it stands now).
type figures struct {
	paid, outstanding, unearmarked, count int64
	timelinePaid, timelineOutstanding     int64
}

// bumpFund changes a fund's totals and its figures on a day.
func bumpFund(tx *gorm.DB, fundID int64, day models.Date, f figures) error {
	if f == (figures{}) {
		return nil
	}
	if f.paid == 0 && f.outstanding == 0 && f.unearmarked == 0 && f.count == 0 {
		return bumpFundDay(tx, fundID, day, f)
	}
	if err := tx.Exec(`UPDATE fund_totals SET paid_cents = paid_cents + ?, outstanding_cents = outstanding_cents + ?,
		paid_unearmarked_cents = paid_unearmarked_cents + ?, contribution_count = contribution_count + ? WHERE fund_id = ?`,
		f.paid, f.outstanding, f.unearmarked, f.count, fundID).Error; err != nil {
		return err
	}
	return bumpFundDay(tx, fundID, day, f)
}

func bumpFundDay(tx *gorm.DB, fundID int64, day models.Date, f figures) error {
	return tx.Exec(`INSERT INTO fund_day_totals (fund_id, day, paid_cents, outstanding_cents, paid_unearmarked_cents, contribution_count,
		timeline_paid_cents, timeline_outstanding_cents)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (fund_id, day) DO UPDATE SET paid_cents = fund_day_totals.paid_cents + excluded.paid_cents,
		outstanding_cents = fund_day_totals.outstanding_cents + excluded.outstanding_cents,
		paid_unearmarked_cents = fund_day_totals.paid_unearmarked_cents + excluded.paid_unearmarked_cents,
		contribution_count = fund_day_totals.contribution_count + excluded.contribution_count,
		timeline_paid_cents = fund_day_totals.timeline_paid_cents + excluded.timeline_paid_cents,
		timeline_outstanding_cents = fund_day_totals.timeline_outstanding_cents + excluded.timeline_outstanding_cents`,
		fundID, string(day), f.paid, f.outstanding, f.unearmarked, f.count, f.timelinePaid, f.timelineOutstanding).Error
}

// bumpDonor changes a donor's figures in a fund. live is the change in the
// donor's live records (pledges not cancelled, contributions not voided) on
// day; the fund's donor count follows the donors whose live records go from
// none to some, or back.
func bumpDonor(tx *gorm.DB, fundID, donorID int64, day models.Date, paid, outstanding, live int64) error {
	if paid == 0 && outstanding == 0 && live == 0 {
		return nil
	}
	var after int64
	err := tx.Raw(`INSERT INTO fund_donor_totals (fund_id, donor_id, paid_cents, outstanding_cents, live_records)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (fund_id, donor_id) DO UPDATE SET paid_cents = fund_donor_totals.paid_cents + excluded.paid_cents,
		outstanding_cents = fund_donor_totals.outstanding_cents + excluded.outstanding_cents,
		live_records = fund_donor_totals.live_records + excluded.live_records
		RETURNING live_records`, fundID, donorID, paid, outstanding, live).Scan(&after).Error
	if err != nil || live == 0 {
		return err
	}
	if err := tx.Exec(`INSERT INTO fund_donor_day_totals (fund_id, donor_id, day, live_records) VALUES (?, ?, ?, ?)
		ON CONFLICT (fund_id, donor_id, day) DO UPDATE SET live_records = fund_donor_day_totals.live_records + excluded.live_records`,
		fundID, donorID, string(day), live).Error; err != nil {
		return err
	}
	before := after - live
	switch {
	case before <= 0 && after > 0:
		return tx.Exec("UPDATE fund_totals SET donor_count = donor_count + 1 WHERE fund_id = ?", fundID).Error
	case before > 0 && after <= 0:
		return tx.Exec("UPDATE fund_totals SET donor_count = donor_count - 1 WHERE fund_id = ?", fundID).Error
	}
	return nil
}

// bumpCurrency changes a fund's figures in one currency.
func bumpCurrency(tx *gorm.DB, fundID int64, currency string, paidMinor, paidCents, outMinor, outCents int64) error {
	if paidMinor == 0 && paidCents == 0 && outMinor == 0 && outCents == 0 {
		return nil
	}
	return tx.Exec(`INSERT INTO fund_currency_totals (fund_id, currency, paid_minor, paid_cents, outstanding_minor, outstanding_cents)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (fund_id, currency) DO UPDATE SET paid_minor = fund_currency_totals.paid_minor + excluded.paid_minor,
		paid_cents = fund_currency_totals.paid_cents + excluded.paid_cents,
		outstanding_minor = fund_currency_totals.outstanding_minor + excluded.outstanding_minor,
		outstanding_cents = fund_currency_totals.outstanding_cents + excluded.outstanding_cents`,
		fundID, currency, paidMinor, paidCents, outMinor, outCents).Error
}

// contributionEffect applies a contribution coming alive (sign +1, on its
// received_on) or being voided (sign -1, on the day of the void). In the
// timeline's view both happen on its received_on.
func contributionEffect(tx *gorm.DB, c contributionRow, sign int64, day models.Date) error {
	u := sign * c.AmountUSDCents
	f := figures{paid: u, count: sign}
	if c.Earmarking == "unearmarked" {
		f.unearmarked = u
	}
	if received := models.Date(c.ReceivedOn); received == day {
		f.timelinePaid = u
	} else if err := bumpFundDay(tx, c.FundID, received, figures{timelinePaid: u}); err != nil {
		return err
	}
	if err := bumpFund(tx, c.FundID, day, f); err != nil {
		return err
	}
	if err := bumpDonor(tx, c.FundID, c.DonorID, day, u, 0, sign); err != nil {
		return err
	}
	return bumpCurrency(tx, c.FundID, c.Currency, sign*c.AmountMinor, u, 0, 0)
}

// pledgeState is a pledge with the payments that bear on it.
type pledgeState struct {
	row      pledgeRow
	payments []models.Payment
}

func (p *pledgeState) history() models.PledgeHistory {
	if p == nil {
		return models.PledgeHistory{}
	}
	places := models.MinorUnits(p.row.Currency)
	rate, _ := models.ParseRate(p.row.ExchangeRate)
	return models.PledgeHistory{Amount: models.FromMinor(p.row.AmountMinor, places), Rate: rate.Decimal,
		PledgedOn: models.Date(p.row.PledgedOn), CancelDay: models.Date(p.row.CancelDay), Payments: p.payments}
}

// outstanding is the pledge's outstanding now: in its currency's minor units and in USD cents.
func (p *pledgeState) outstanding() (minor, cents int64) {
	if p == nil || p.row.CancelledAt != nil {
		return 0, 0
	}
	places := models.MinorUnits(p.row.Currency)
	rate, _ := models.ParseRate(p.row.ExchangeRate)
	minor = p.row.AmountMinor - p.row.PaidMinor
	cents = models.OutstandingUSDCents(models.FromMinor(p.row.AmountMinor, places), models.FromMinor(p.row.PaidMinor, places), rate.Decimal, false)
	return minor, cents
}

// pledgeEffect moves the aggregates from a pledge's state before a write to
// its state after (before is nil for a new pledge).
func pledgeEffect(tx *gorm.DB, before, after *pledgeState) error {
	fundID, donorID := after.row.FundID, after.row.DonorID
	bMinor, bCents := before.outstanding()
	aMinor, aCents := after.outstanding()
	if err := tx.Exec("UPDATE fund_totals SET outstanding_cents = outstanding_cents + ? WHERE fund_id = ?", aCents-bCents, fundID).Error; err != nil {
		return err
	}
	bh, ah := before.history(), after.history()
	dated := models.StepDiff(bh.Steps(), ah.Steps())
	current := models.StepDiff(bh.Current().Steps(), ah.Current().Steps())
	days := make([]models.Date, 0, len(dated)+len(current))
	for d := range dated {
		days = append(days, d)
	}
	for d := range current {
		if _, ok := dated[d]; !ok {
			days = append(days, d)
		}
	}
	sort.Slice(days, func(i, j int) bool { return days[i] < days[j] }) // a fixed order of row locks
	for _, d := range days {
		if err := bumpFundDay(tx, fundID, d, figures{outstanding: dated[d], timelineOutstanding: current[d]}); err != nil {
			return err
		}
	}
	// A pledge is a live record of its donor from pledged_on until cancelled.
	var live int64
	var liveDay models.Date
	switch {
	case before == nil:
		live, liveDay = 1, models.Date(after.row.PledgedOn)
	case before.row.CancelledAt == nil && after.row.CancelledAt != nil:
		live, liveDay = -1, models.Date(after.row.CancelDay)
	}
	if err := bumpDonor(tx, fundID, donorID, liveDay, 0, aCents-bCents, live); err != nil {
		return err
	}
	return bumpCurrency(tx, fundID, after.row.Currency, 0, 0, aMinor-bMinor, aCents-bCents)
}
