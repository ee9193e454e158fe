package models

import (
	"sort"

	"github.com/shopspring/decimal"
)

// Payment is a contribution as it bears on its pledge's history.
type Payment struct {
	ContributionID int64 // 0 until stored
	ReceivedOn     Date
	VoidDay        Date // "" while live
	Amount         decimal.Decimal
}

// PledgeHistory is what decides a pledge's outstanding USD on any day.
type PledgeHistory struct {
	Amount    decimal.Decimal
	Rate      decimal.Decimal
	PledgedOn Date
	CancelDay Date // "" while not cancelled
	Payments  []Payment
	WriteOffs []PledgeWriteOff // issue 11: counted from the day each was made
}

// OutstandingOn is the pledge's outstanding_usd in cents as it stood at the
// end of day d: nothing before it was pledged or once it was cancelled;
// otherwise the unpaid part at the pledge's rate, counting payments received
// by d and not voided by d, and what was written off by d.
func (h PledgeHistory) OutstandingOn(d Date) int64 {
	if d < h.PledgedOn || (h.CancelDay != "" && h.CancelDay <= d) {
		return 0
	}
	return OutstandingUSDCents(h.Amount, h.PaidOn(d).Add(h.WrittenOffOn(d)), h.Rate, false)
}

// PaidOn is what the payments received by d and not voided by d add up to.
func (h PledgeHistory) PaidOn(d Date) decimal.Decimal {
	paid := decimal.Zero
	for _, p := range h.Payments {
		if p.ReceivedOn <= d && (p.VoidDay == "" || p.VoidDay > d) {
			paid = paid.Add(p.Amount)
		}
	}
	return paid
}

// WrittenOffOn is what was written off by the end of day d.
func (h PledgeHistory) WrittenOffOn(d Date) decimal.Decimal {
	wo := decimal.Zero
	for _, w := range h.WriteOffs {
		if w.Day <= d {
			wo = wo.Add(w.Amount)
		}
	}
	return wo
}

// Current is the history as the ledger stands now, for the timeline: voided
// payments never happened, and a cancelled pledge is owed on no day (what was
// paid on it stays paid, through its payments).
func (h PledgeHistory) Current() PledgeHistory {
	c := h
	c.Payments = nil
	for _, p := range h.Payments {
		if p.VoidDay == "" {
			c.Payments = append(c.Payments, p)
		}
	}
	if h.CancelDay != "" {
		c.CancelDay = h.PledgedOn
	}
	return c
}

// Steps returns, for each day on which the pledge's outstanding_usd changes,
// the change in cents. Summed up to a day, the steps give OutstandingOn(day).
// Because outstanding_usd is rounded per pledge, a back-dated payment can
// change other days' steps: callers apply the difference of two Steps.
func (h PledgeHistory) Steps() map[Date]int64 {
	if h.Amount.IsZero() {
		return nil
	}
	days := []Date{h.PledgedOn}
	if h.CancelDay != "" {
		days = append(days, h.CancelDay)
	}
	for _, p := range h.Payments {
		days = append(days, p.ReceivedOn)
		if p.VoidDay != "" {
			days = append(days, p.VoidDay)
		}
	}
	for _, w := range h.WriteOffs {
		days = append(days, w.Day)
	}
	sort.Slice(days, func(i, j int) bool { return days[i] < days[j] })
	steps := map[Date]int64{}
	var prev int64
	for i, d := range days {
		if i > 0 && d == days[i-1] {
			continue
		}
		v := h.OutstandingOn(d)
		if v != prev {
			steps[d] = v - prev
		}
		prev = v
	}
	return steps
}

// StepDiff returns after - before, day by day, leaving out days with no change.
func StepDiff(before, after map[Date]int64) map[Date]int64 {
	out := map[Date]int64{}
	for d, v := range after {
		out[d] += v
	}
	for d, v := range before {
		out[d] -= v
	}
	for d, v := range out {
		if v == 0 {
			delete(out, d)
		}
	}
	return out
}
