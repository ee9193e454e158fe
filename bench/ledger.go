package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"github.com/fundtracker/fundtracker/store"
	"github.com/shopspring/decimal"
)

// ledgerSize says how big a generated ledger is.
type ledgerSize struct {
	Contributions, Pledges, Donors, Funds int
}

// The ledger spans five years of dates, ending before today.
var (
	firstDay = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	lastDay  = time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	spanDays = int(lastDay.Sub(firstDay).Hours()/24) + 1
)

// currency is one of the ledger's currencies with its base rate in
// millionths of a unit per USD, and its share of the money.
type currency struct {
	Code       string
	RateMicro  int64
	Weight     int
	minorUnits int32
}

var currencies = []currency{
	{Code: "USD", RateMicro: 1_000_000, Weight: 30}, {Code: "EUR", RateMicro: 921_300, Weight: 25},
	{Code: "GBP", RateMicro: 786_400, Weight: 8}, {Code: "CHF", RateMicro: 884_100, Weight: 6},
	{Code: "JPY", RateMicro: 149_820_000, Weight: 5}, {Code: "SEK", RateMicro: 10_512_300, Weight: 5},
	{Code: "NOK", RateMicro: 10_684_000, Weight: 5}, {Code: "DKK", RateMicro: 6_871_500, Weight: 4},
	{Code: "CAD", RateMicro: 1_352_800, Weight: 4}, {Code: "AUD", RateMicro: 1_507_700, Weight: 3},
	{Code: "KWD", RateMicro: 307_450, Weight: 3}, {Code: "SAR", RateMicro: 3_750_200, Weight: 2},
}

var (
	donorKinds = []string{"government", "multilateral", "private_sector", "foundation", "ngo", "individual", "other"}
	countries  = []string{"MA", "DE", "FR", "GB", "US", "JP", "SE", "NO", "DK", "CA", "AU", "KW", "SA", "CH", "NL", "IT", "ES", "BE"}
	earmarks   = []string{"unearmarked", "unearmarked", "unearmarked", "softly_earmarked", "earmarked"}
)

const benchActor = "bench-loader@example.org"

// rateTable holds each currency's monthly rate (effective on the 1st).
type rateTable map[string][]models.Rate

func (rt rateTable) on(code string, day time.Time) models.Rate {
	if code == "USD" {
		return models.One
	}
	months := (day.Year()-firstDay.Year())*12 + int(day.Month()) - 1
	return rt[code][months]
}

// generator draws a realistic ledger from a seeded source, so runs compare.
type generator struct {
	size  ledgerSize
	rnd   *rand.Rand
	rates rateTable
	fundW []float64 // cumulative weights: fund i holds ~1/(i+1) of the activity
}

type genPledge struct {
	id, fund, donor int64
	cur             *currency
	amount, paid    int64
	rate            models.Rate
	pledgedOn       time.Time
	cancelled       bool
	earmarking      string
}

// generateLedger creates a fresh database at path with the schema from the
// store's migrations, bulk-loads the rows with raw SQL in large
// transactions, then has the store rebuild every aggregate from the rows.
func generateLedger(ctx context.Context, path string, size ledgerSize) error {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	s, err := store.Open(ctx, store.Config{DSN: path, Migrate: true, Logger: quietLogger()})
	if err != nil {
		return err
	}
	s.Close()
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_synchronous=OFF&_foreign_keys=off&_cache_size=-262144")
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(1)
	g := newGenerator(size)
	err = g.load(ctx, db)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if s, err = store.Open(ctx, store.Config{DSN: path, Logger: quietLogger()}); err != nil {
		return err
	}
	defer s.Close()
	return s.RebuildAggregates(ctx)
}

func newGenerator(size ledgerSize) *generator {
	g := &generator{size: size, rnd: rand.New(rand.NewPCG(7, uint64(size.Contributions))), rates: rateTable{}}
	total := 0.0
	for i := range size.Funds {
		total += 1 / float64(i+1)
		g.fundW = append(g.fundW, total)
	}
	for i := range g.fundW {
		g.fundW[i] /= total
	}
	for i := range currencies {
		c := &currencies[i]
		c.minorUnits = models.MinorUnits(c.Code)
		if c.Code == "USD" {
			continue
		}
		for m := range spanDays/28 + 2 {
			// A slow drift around the base rate, in steps of a ten-thousandth of the base.
			drift := int64(g.rnd.IntN(1201)) - 600 + int64(m%12)*20
			g.rates[c.Code] = append(g.rates[c.Code], models.Rate{Decimal: decimalMicro(c.RateMicro + c.RateMicro*drift/10_000)})
		}
	}
	return g
}

func (g *generator) fund() int64 {
	u := g.rnd.Float64()
	for i, w := range g.fundW {
		if u <= w {
			return int64(i + 1)
		}
	}
	return int64(len(g.fundW))
}

// donor favours low ids: a few donors give most of the money.
func (g *generator) donor() int64 {
	u := g.rnd.Float64()
	return int64(u*u*float64(g.size.Donors)) + 1
}

func (g *generator) currency() *currency {
	n := g.rnd.IntN(100)
	for i := range currencies {
		if n -= currencies[i].Weight; n < 0 {
			return &currencies[i]
		}
	}
	return &currencies[0]
}

func (g *generator) day() time.Time { return firstDay.AddDate(0, 0, g.rnd.IntN(spanDays)) }

func laterDay(d time.Time, maxDays int, rnd *rand.Rand) time.Time {
	d = d.AddDate(0, 0, rnd.IntN(maxDays)+1)
	if d.After(lastDay) {
		return lastDay
	}
	return d
}

// amountIn converts whole USD to the currency's minor units at its base rate.
func amountIn(c *currency, usd int64) int64 {
	m := usd * c.RateMicro / 1_000_000
	for range c.minorUnits {
		m *= 10
	}
	return max(m, 1)
}

// usdCents is the contribution's amount_usd as the store computes it.
func usdCents(c *currency, minor int64, rate models.Rate) int64 {
	return models.ToMinor(models.ToUSD(models.FromMinor(minor, c.minorUnits), rate.Decimal), 2)
}

func decimalMicro(micro int64) decimal.Decimal { return decimal.New(micro, -6) }

func dateText(t time.Time) string { return t.Format(models.DateLayout) }

func (g *generator) load(ctx context.Context, db *sql.DB) error {
	now := time.Now().UTC()
	if err := g.loadReference(ctx, db, now); err != nil {
		return err
	}
	return g.loadContributions(ctx, db, g.makePledges())
}

func (g *generator) loadReference(ctx context.Context, db *sql.DB, now time.Time) error {
	return inBatches(ctx, db, []batchInsert{
		{`INSERT INTO funds (code, name, organization, description, target_cents, opens_on, closes_on, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, g.size.Funds, func(i int) []any {
			return []any{fmt.Sprintf("bench-fund-%02d", i+1), fmt.Sprintf("Bench fund %d", i+1), "IOM", "Generated by make bench",
				int64(100_000_000_00) * int64(20-i%10), dateText(firstDay), "", now, now}
		}},
		{`INSERT INTO donors (name, kind, country_code, anonymous, contact_email, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, g.size.Donors, func(i int) []any {
			return []any{fmt.Sprintf("Donor %04d", i+1), donorKinds[i%len(donorKinds)], countries[i%len(countries)],
				i%20 == 7, fmt.Sprintf("donor%d@example.org", i+1), now, now}
		}},
		{`INSERT INTO exchange_rates (currency, effective_on, units_per_usd, source, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?)`, (len(currencies) - 1) * len(g.rates["EUR"]), func(i int) []any {
			c := currencies[1+i/len(g.rates["EUR"])]
			m := i % len(g.rates["EUR"])
			return []any{c.Code, dateText(firstDay.AddDate(0, m, 0)), g.rates[c.Code][m].String(), "UN operational rate", now, benchActor}
		}},
	})
}

// makePledges draws the pledges; their paid part is filled by
// loadContributions, which writes them after the contributions that pay them.
func (g *generator) makePledges() []genPledge {
	pledges := make([]genPledge, g.size.Pledges)
	for i := range pledges {
		c := g.currency()
		on := g.day()
		pledges[i] = genPledge{id: int64(i + 1), fund: g.fund(), donor: g.donor(), cur: c,
			amount: amountIn(c, int64(10_000+g.rnd.IntN(2_000_000))), rate: g.rates.on(c.Code, on), pledgedOn: on,
			cancelled: g.rnd.IntN(50) == 0, earmarking: earmarks[g.rnd.IntN(len(earmarks))]}
	}
	return pledges
}

func (g *generator) writePledges(ctx context.Context, db *sql.DB, pledges []genPledge) error {
	return inBatches(ctx, db, []batchInsert{{`INSERT INTO pledges (id, fund_id, donor_id, amount_minor, currency, exchange_rate,
		amount_usd_cents, paid_minor, pledged_on, due_on, stage, earmarking, reference, notes, cancelled_at, cancel_day,
		cancel_reason, cancelled_by, created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		len(pledges), func(i int) []any {
			p := pledges[i]
			stage := "commitment"
			if i%3 == 0 {
				stage = "pledge"
			}
			created := p.pledgedOn.Add(10 * time.Hour)
			var cancelledAt any
			cancelDay, reason, by := "", "", ""
			if p.cancelled {
				d := laterDay(p.pledgedOn, 60, g.rnd)
				cancelledAt, cancelDay, reason, by = d.Add(15*time.Hour), dateText(d), "Donor withdrew", benchActor
			}
			return []any{p.id, p.fund, p.donor, p.amount, p.cur.Code, p.rate.String(), usdCents(p.cur, p.amount, p.rate), p.paid,
				dateText(p.pledgedOn), dateText(p.pledgedOn.AddDate(1, 0, 0)), stage, p.earmarking, "PLG-" + strconv.Itoa(i+1), "",
				cancelledAt, cancelDay, reason, by, created, benchActor, created}
		}},
		// Issue 11: each pledge's schedule, one instalment of its whole
		// amount on its due date (the rebuild then derives next_due_on).
		{`INSERT INTO pledge_instalments (pledge_id, version, seq, due_on, amount_minor, written_off_minor) VALUES (?, 1, 1, ?, ?, 0)`,
			len(pledges), func(i int) []any {
				p := pledges[i]
				return []any{p.id, dateText(p.pledgedOn.AddDate(1, 0, 0)), p.amount}
			}}})
}

// loadContributions writes the contributions (two in five pay a pledge, one
// in a hundred is voided), then the pledges with the paid part they add up to.
func (g *generator) loadContributions(ctx context.Context, db *sql.DB, pledges []genPledge) error {
	err := inBatches(ctx, db, []batchInsert{{`INSERT INTO contributions (fund_id, donor_id, pledge_id, amount_minor, currency,
		exchange_rate, amount_usd_cents, received_on, earmarking, reference, notes, voided_at, void_day, void_reason, voided_by,
		created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		g.size.Contributions, func(i int) []any {
			voided := g.rnd.IntN(100) == 0
			var pledge *genPledge
			if len(pledges) > 0 && g.rnd.IntN(5) < 2 {
				if p := &pledges[g.rnd.IntN(len(pledges))]; !p.cancelled && p.paid < p.amount {
					pledge = p
				}
			}
			var fund, donor, amount int64
			var c *currency
			var on time.Time
			earmarking := earmarks[g.rnd.IntN(len(earmarks))]
			var pledgeID any
			if pledge != nil {
				fund, donor, c, earmarking, pledgeID = pledge.fund, pledge.donor, pledge.cur, pledge.earmarking, pledge.id
				amount = min(pledge.amount-pledge.paid, max(pledge.amount*int64(10+g.rnd.IntN(40))/100, 1))
				on = laterDay(pledge.pledgedOn, 400, g.rnd)
				if !voided {
					pledge.paid += amount
				}
			} else {
				fund, donor, c, on = g.fund(), g.donor(), g.currency(), g.day()
				amount = amountIn(c, int64(1_000+g.rnd.IntN(500_000)))
			}
			rate := g.rates.on(c.Code, on)
			created := on.Add(11 * time.Hour)
			var voidedAt any
			voidDay, reason, by := "", "", ""
			if voided {
				d := laterDay(on, 30, g.rnd)
				voidedAt, voidDay, reason, by = d.Add(16*time.Hour), dateText(d), "Duplicate entry", benchActor
			}
			return []any{fund, donor, pledgeID, amount, c.Code, rate.String(), usdCents(c, amount, rate), dateText(on), earmarking,
				"REF-" + strconv.Itoa(i+1), "", voidedAt, voidDay, reason, by, created, benchActor}
		}}})
	if err != nil {
		return err
	}
	return g.writePledges(ctx, db, pledges)
}

// batchInsert is one prepared INSERT run n times with row(i)'s arguments.
type batchInsert struct {
	sql string
	n   int
	row func(i int) []any
}

// inBatches runs each insert in transactions of 50,000 rows.
func inBatches(ctx context.Context, db *sql.DB, inserts []batchInsert) error {
	const perTx = 50_000
	for _, ins := range inserts {
		for start := 0; start < ins.n; start += perTx {
			if err := insertRange(ctx, db, ins, start, min(start+perTx, ins.n)); err != nil {
				return err
			}
		}
	}
	return nil
}

func insertRange(ctx context.Context, db *sql.DB, ins batchInsert, from, to int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, ins.sql)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i := from; i < to; i++ {
		if _, err := stmt.ExecContext(ctx, ins.row(i)...); err != nil {
			return fmt.Errorf("row %d: %w", i, err)
		}
	}
	return tx.Commit()
}
