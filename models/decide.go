package models

import (
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// Every ledger write goes load, decide, apply: the store loads in one place
// what the decision needs (a *Load), a pure function here decides (no
// database: the records to write and their Effects, or every problem at
// once), and the store applies what was decided. See docs/architecture.md.

// PledgeState is a pledge as its writes need it: the record (figures derived)
// and the payments that bear on it, in id order.
type PledgeState struct {
	Pledge    Pledge
	Payments  []Payment
	WriteOffs []PledgeWriteOff // issue 11, in the order made
}

func (s *PledgeState) clone() *PledgeState {
	c := *s
	c.Payments = append([]Payment(nil), s.Payments...)
	c.WriteOffs = append([]PledgeWriteOff(nil), s.WriteOffs...)
	if s.Pledge.Schedule != nil {
		c.Pledge.Schedule = append([]ScheduleRow(nil), s.Pledge.Schedule...)
	}
	return &c
}

// History is what decides the pledge's outstanding USD on any day.
func (s *PledgeState) History() PledgeHistory {
	if s == nil {
		return PledgeHistory{}
	}
	h := PledgeHistory{Amount: s.Pledge.Amount.Amount, Rate: s.Pledge.ExchangeRate.Decimal, PledgedOn: s.Pledge.PledgedOn,
		Payments: s.Payments, WriteOffs: s.WriteOffs}
	if s.Pledge.CancelledAt != nil {
		h.CancelDay = DateOf(*s.Pledge.CancelledAt)
	}
	return h
}

// Outstanding is the pledge's outstanding now: in its currency's minor units and in USD cents.
func (s *PledgeState) Outstanding() (minor, cents int64) {
	if s == nil || s.Pledge.Cancelled {
		return 0, 0
	}
	return ToMinor(s.Pledge.Outstanding.Amount, MinorUnits(s.Pledge.Currency)), ToMinor(s.Pledge.OutstandingUSD.Amount, 2)
}

// pledgeEffects moves the aggregates from a pledge's state before a write to
// its state after (before is nil for a new pledge).
func pledgeEffects(e *Effects, before, after *PledgeState) {
	fundID, donorID := after.Pledge.FundID, after.Pledge.DonorID
	bMinor, bCents := before.Outstanding()
	aMinor, aCents := after.Outstanding()
	e.Fund(fundID, FundDelta{Outstanding: aCents - bCents})
	bh, ah := before.History(), after.History()
	for d, v := range StepDiff(bh.Steps(), ah.Steps()) {
		e.Day(fundID, d, DayDelta{Outstanding: v})
	}
	for d, v := range StepDiff(bh.Current().Steps(), ah.Current().Steps()) {
		e.Day(fundID, d, DayDelta{TimelineOutstanding: v})
	}
	// A pledge is a live record of its donor from pledged_on until cancelled.
	var live int64
	var liveDay Date
	switch {
	case before == nil:
		live, liveDay = 1, after.Pledge.PledgedOn
	case !before.Pledge.Cancelled && after.Pledge.Cancelled:
		live, liveDay = -1, DateOf(*after.Pledge.CancelledAt)
	}
	e.Donor(fundID, donorID, DonorDelta{Outstanding: aCents - bCents, Live: live})
	if live != 0 {
		e.DonorDay(fundID, donorID, liveDay, live)
	}
	e.Currency(fundID, after.Pledge.Currency, CurrencyDelta{OutstandingMinor: aMinor - bMinor, OutstandingCents: aCents - bCents})
}

// contributionEffects adds a contribution coming alive (sign +1, on its
// received_on) or being voided (sign -1, on the day of the void). In the
// timeline's view both happen on its received_on.
func contributionEffects(e *Effects, c Contribution, sign int64, day Date) {
	u := sign * ToMinor(c.AmountUSD.Amount, 2)
	f := DayDelta{Paid: u, Count: sign}
	if c.Earmarking == "unearmarked" {
		f.Unearmarked = u
	}
	e.Day(c.FundID, day, f)
	e.Day(c.FundID, c.ReceivedOn, DayDelta{TimelinePaid: u})
	e.Fund(c.FundID, FundDelta{Paid: u, Unearmarked: f.Unearmarked, Count: sign})
	e.Donor(c.FundID, c.DonorID, DonorDelta{Paid: u, Live: sign})
	e.DonorDay(c.FundID, c.DonorID, day, sign)
	e.Currency(c.FundID, c.Currency, CurrencyDelta{PaidMinor: sign * ToMinor(c.Amount.Amount, c.Amount.Places), PaidCents: u})
}

// Parties are the fund and donor a record names, as loaded: nil where the id
// names nothing.
type Parties struct {
	FundCode  *string
	DonorName *string
	// DonorMergedInto is the donor the donor named was merged into (issue
	// 14): new records go to that one.
	DonorMergedInto *int64
}

func (pt Parties) check(fundID, donorID int64, p Problems) {
	if fundID > 0 && pt.FundCode == nil {
		p.Add("fund_id", "no fund with id "+strconv.FormatInt(fundID, 10))
	}
	if donorID > 0 && pt.DonorName == nil {
		p.Add("donor_id", "no donor with id "+strconv.FormatInt(donorID, 10))
	}
	if donorID > 0 && pt.DonorName != nil && pt.DonorMergedInto != nil {
		p.Add("donor_id", "donor "+strconv.FormatInt(donorID, 10)+" was merged into donor "+strconv.FormatInt(*pt.DonorMergedInto, 10))
	}
}

// RateKey is the currency and day whose rate in force a record needs
// (currency "" when none is needed: USD or input not valid). With a rate
// given it is loaded too: when the two are equal, the record's
// rate_effective_on is the recorded rate's (issue 14), as lists answer it.
type RateKey struct {
	Currency string
	Day      Date
}

// rateKey is the rate a record in currency on day looks up, if any.
func rateKey(currencyCode string, day Date) RateKey {
	code, ok := ParseCurrency(currencyCode)
	if !ok || code == ReportingCurrency {
		return RateKey{}
	}
	if _, err := time.Parse(DateLayout, string(day)); err != nil {
		return RateKey{}
	}
	return RateKey{Currency: code, Day: day}
}

// resolveRate picks the rate of a record: 1 for USD, the one given, else the
// one in force (inForce, nil when none is). It returns the rate and whether
// it is known; problems go to exchange_rate.
func resolveRate(currencyCode string, day Date, given decimal.Decimal, inForce *Rate, p Problems) (Rate, bool) {
	switch {
	case currencyCode == "" || p["exchange_rate"] != "":
		return Rate{}, false
	case currencyCode == ReportingCurrency:
		return One, true
	case !given.IsZero():
		return Rate{given}, true
	case inForce == nil:
		if day != "" {
			p.Add("exchange_rate", "no rate for "+currencyCode+" in force on "+string(day)+": record one, or give exchange_rate")
		}
		return Rate{}, false
	}
	return *inForce, true
}

// usdValue is amount at rate, below 10^15; the problem is the amount's, and the
// given rate's too when one was given.
func usdValue(amount decimal.Decimal, rate Rate, rateGiven bool, p Problems) decimal.Decimal {
	usd, err := USDValue(amount, rate.Decimal, rateGiven)
	if e, ok := err.(*Error); ok {
		for f, msg := range e.Fields {
			p.Add(f, msg)
		}
	}
	return usd
}

// RecordKeys are what the store loads for a new record: the fund, the donor,
// the currency (for its totals) and the rate in force it needs, if any.
type RecordKeys struct {
	FundID, DonorID int64
	Currency        string
	Rate            RateKey
}

// RecordLoad is what deciding a new record needs, as the store loaded it.
type RecordLoad struct {
	Today   Date
	Now     time.Time
	By      string
	Parties Parties
	Rate    *Rate // in force for RecordKeys.Rate; nil when none is (or none was needed)
	RateOn  Date  // the day Rate took effect
	Totals  CurrentTotals
	// CommitmentBlocked says why a pledge cannot be at stage commitment now
	// (its fund requires an agreement document it has not got); "" when it can.
	CommitmentBlocked string
}

// rateOn is the effective_on of the recorded rate a new record applies
// (issue 14): the rate in force's, when it is the one applied; nil for USD
// and for a rate given that is not the one in force.
func (ld RecordLoad) rateOn(currencyCode string, given decimal.Decimal) *Date {
	if currencyCode == ReportingCurrency || ld.Rate == nil || ld.RateOn == "" || (!given.IsZero() && !given.Equal(ld.Rate.Decimal)) {
		return nil
	}
	on := ld.RateOn
	return &on
}

// ContributionLoad is what deciding a new contribution needs.
type ContributionLoad struct {
	RecordLoad
	Pledge *PledgeState // the pledge named; nil when none is, or the id names none
	// Scratch, when set, holds the maps the write's Effects are built in
	// (emptied first): the Effects answered are good until the next decision
	// given the same Scratch. An import's rows, each added to the file's
	// Effects at once, so allocate no maps per row.
	Scratch *Effects
}

// Keys are what the store loads for a new contribution, once its pledge's
// defaults are applied.
func (in ContributionInput) Keys(pledge *Pledge) RecordKeys {
	fundID, donorID, currencyCode := in.FundID, in.DonorID, in.Currency
	if pledge != nil {
		if fundID == 0 {
			fundID = pledge.FundID
		}
		if donorID == 0 {
			donorID = pledge.DonorID
		}
		if currencyCode == "" {
			currencyCode = pledge.Currency
		}
	}
	return recordKeys(fundID, donorID, currencyCode, Date(in.ReceivedOn.Raw))
}

func recordKeys(fundID, donorID int64, currencyCode string, day Date) RecordKeys {
	if code, ok := ParseCurrency(currencyCode); ok {
		currencyCode = code
	}
	return RecordKeys{FundID: fundID, DonorID: donorID, Currency: currencyCode, Rate: rateKey(currencyCode, day)}
}

// ContributionWrite is a decided contribution write: the record, the state
// its pledge moves to (nil when it pays none) and the aggregates' changes.
type ContributionWrite struct {
	Contribution Contribution
	Pledge       *PledgeState
	Effects      Effects
}

// DecideContribution decides a new contribution: every problem at once, or
// the record and its effects.
func DecideContribution(in ContributionInput, ld ContributionLoad) (ContributionWrite, error) {
	var pm *Pledge
	if ld.Pledge != nil {
		pm = &ld.Pledge.Pledge
	}
	c, given, p := in.Validate(pm, ld.Today)
	if in.PledgeID != nil && *in.PledgeID > 0 && ld.Pledge == nil {
		p.Add("pledge_id", "no pledge with id "+strconv.FormatInt(*in.PledgeID, 10))
	}
	ld.Parties.check(c.FundID, c.DonorID, p)
	c.FundCode, c.DonorName = deref(ld.Parties.FundCode), deref(ld.Parties.DonorName)
	rate, ok := resolveRate(c.Currency, c.ReceivedOn, given, ld.Rate, p)
	if ok && p["amount"] == "" {
		c.ExchangeRate, c.RateEffectiveOn = rate, ld.rateOn(c.Currency, given)
		c.AmountUSD = USD(usdValue(c.Amount.Amount, rate, !given.IsZero(), p))
		if c.AmountUSD.Amount.IsZero() && p["amount"] == "" && p["exchange_rate"] == "" {
			p.Add("amount", "is worth 0.00 USD at the rate "+rate.String()+": too small to record")
		}
	}
	if len(p) > 0 {
		return ContributionWrite{}, p.Err()
	}
	c.CreatedAt, c.CreatedBy = ld.Now, ld.By
	c.Acknowledgement = AckToBeAcknowledged // the column's default (issue 15)
	w := ContributionWrite{Contribution: c}
	if ld.Scratch != nil {
		ld.Scratch.reset()
		w.Effects = *ld.Scratch
		defer func() { *ld.Scratch = w.Effects }() // the maps bump made
	}
	contributionEffects(&w.Effects, c, 1, c.ReceivedOn)
	if ld.Pledge != nil {
		w.Pledge = ld.Pledge.clone()
		w.Pledge.Pledge.Paid.Amount = w.Pledge.Pledge.Paid.Amount.Add(c.Amount.Amount)
		w.Pledge.Pledge.UpdatedAt = ld.Now
		w.Pledge.Pledge.Derive(ld.Today)
		w.Pledge.Payments = append(w.Pledge.Payments, Payment{ReceivedOn: c.ReceivedOn, Amount: c.Amount.Amount})
		pledgeEffects(&w.Effects, ld.Pledge, w.Pledge)
	}
	CheckTotals(ld.Totals, w.Effects, p)
	return w, p.Err()
}

// DecideVoid decides voiding a contribution (its pledge's state given when it
// paid one): it leaves every total, and the pledge is owed again.
func DecideVoid(c Contribution, pledge *PledgeState, reason string, now time.Time, by string) (ContributionWrite, error) {
	if c.Voided {
		return ContributionWrite{}, Errorf(ECONFLICT, "Contribution %d is already voided.", c.ID)
	}
	day := DateOf(now)
	after := c
	after.Voided, after.VoidReason, after.VoidedAt, after.VoidedBy = true, reason, &now, by
	w := ContributionWrite{Contribution: after}
	contributionEffects(&w.Effects, c, -1, day)
	if pledge != nil {
		w.Pledge = pledge.clone()
		w.Pledge.Pledge.Paid.Amount = w.Pledge.Pledge.Paid.Amount.Sub(c.Amount.Amount)
		w.Pledge.Pledge.UpdatedAt = now
		w.Pledge.Pledge.Derive(day)
		found := false
		for i := range w.Pledge.Payments {
			if py := &w.Pledge.Payments[i]; py.ContributionID == c.ID && py.VoidDay == "" {
				py.VoidDay, found = day, true
			}
		}
		if !found {
			return ContributionWrite{}, Errorf(EINTERNAL, "contribution %d not found among its pledge's payments", c.ID)
		}
		pledgeEffects(&w.Effects, pledge, w.Pledge)
	}
	return w, nil
}

// Keys are what the store loads for a new pledge.
func (in PledgeInput) Keys() RecordKeys {
	return recordKeys(in.FundID, in.DonorID, in.Currency, Date(in.PledgedOn.Raw))
}

// PledgeWrite is a decided pledge write: the pledge as it becomes and the aggregates' changes.
type PledgeWrite struct {
	Pledge  *PledgeState
	Effects Effects
}

// DecidePledge decides a new pledge: every problem at once, or the record and its effects.
func DecidePledge(in PledgeInput, ld RecordLoad) (PledgeWrite, error) {
	pl, given, p := in.Validate(ld.Today)
	ld.Parties.check(pl.FundID, pl.DonorID, p)
	if pl.Stage == StageCommitment && ld.CommitmentBlocked != "" {
		p.Add("stage", ld.CommitmentBlocked)
	}
	pl.FundCode, pl.DonorName = deref(ld.Parties.FundCode), deref(ld.Parties.DonorName)
	rate, ok := resolveRate(pl.Currency, pl.PledgedOn, given, ld.Rate, p)
	if ok && p["amount"] == "" {
		pl.ExchangeRate, pl.RateEffectiveOn = rate, ld.rateOn(pl.Currency, given)
		pl.AmountUSD = USD(usdValue(pl.Amount.Amount, rate, !given.IsZero(), p))
	}
	if len(p) > 0 {
		return PledgeWrite{}, p.Err()
	}
	pl.Paid = Money{decimal.Zero, pl.Amount.Places}
	pl.CreatedAt, pl.CreatedBy, pl.UpdatedAt = ld.Now, ld.By, ld.Now
	pl.Derive(ld.Today)
	w := PledgeWrite{Pledge: &PledgeState{Pledge: pl}}
	pledgeEffects(&w.Effects, nil, w.Pledge)
	CheckTotals(ld.Totals, w.Effects, p)
	return w, p.Err()
}

// DecideCancelPledge decides cancelling a pledge: the paid part stays paid,
// the rest is no longer expected.
func DecideCancelPledge(st *PledgeState, reason string, now time.Time, by string) (PledgeWrite, error) {
	switch {
	case st.Pledge.Cancelled:
		return PledgeWrite{}, Errorf(ECONFLICT, "Pledge %d is already cancelled.", st.Pledge.ID)
	case st.Pledge.Status == StatusFulfilled:
		return PledgeWrite{}, Errorf(ECONFLICT, "Pledge %d is fulfilled: nothing is left to cancel.", st.Pledge.ID)
	}
	after := st.clone()
	pl := &after.Pledge
	pl.Cancelled, pl.CancelledAt, pl.CancelReason, pl.CancelledBy, pl.UpdatedAt = true, &now, reason, by, now
	pl.Derive(DateOf(now))
	w := PledgeWrite{Pledge: after}
	pledgeEffects(&w.Effects, st, after)
	return w, nil
}

// DecidePledgePatch applies a patch to a pledge: the pledge's new state and
// its effects, and whether anything changed (a patch that changes nothing
// writes nothing). A new amount (issue 14: never below what is paid) takes
// its USD value at the pledge's rate and moves the outstanding totals, which
// must stay within their bound (totals as loaded; only needed then).
//
// commitmentBlocked (from the load step) says why the pledge cannot move to
// stage commitment now (issue 16); "" when it can.
func DecidePledgePatch(st *PledgeState, in PledgePatch, now time.Time, today Date, totals CurrentTotals, commitmentBlocked string) (PledgeWrite, bool, error) {
	before := st.Pledge
	after := before
	after.Schedule = append([]ScheduleRow(nil), before.Schedule...)
	if err := in.Apply(&after); err != nil {
		return PledgeWrite{}, false, err
	}
	if after.Stage == StageCommitment && before.Stage != StageCommitment && commitmentBlocked != "" {
		return PledgeWrite{}, false, FieldError("stage", commitmentBlocked)
	}
	amountChanged := !after.Amount.Amount.Equal(before.Amount.Amount)
	if !amountChanged && after.DueOn == before.DueOn && after.Stage == before.Stage && after.Earmarking == before.Earmarking &&
		after.Reference == before.Reference && after.Notes == before.Notes {
		return PledgeWrite{}, false, nil
	}
	p := Problems{}
	if amountChanged {
		after.AmountUSD = USD(usdValue(after.Amount.Amount, after.ExchangeRate, false, p))
		if len(p) > 0 {
			return PledgeWrite{}, false, p.Err()
		}
	}
	after.UpdatedAt = now
	after.Derive(today)
	next := st.clone()
	next.Pledge = after
	w := PledgeWrite{Pledge: next}
	if amountChanged {
		pledgeEffects(&w.Effects, st, next)
		CheckTotals(totals, w.Effects, p)
	}
	return w, true, p.Err()
}

// WriteOffWrite is a decided write-off: the record, the pledge as it becomes
// and the aggregates' changes.
type WriteOffWrite struct {
	WriteOff WriteOff
	Pledge   *PledgeState
	Effects  Effects
}

// DecideWriteOff decides writing off part of a pledge (issue 11): amount
// (default: all that is outstanding) comes off its last instalments
// backwards; the paid part stays paid; the fall in outstanding_usd is the
// write-off's USD value, counted from today.
func DecideWriteOff(st *PledgeState, in WriteOffInput, now time.Time, by string) (WriteOffWrite, error) {
	pl := st.Pledge
	out := pl.Outstanding
	switch {
	case pl.Cancelled:
		return WriteOffWrite{}, Errorf(ECONFLICT, "Pledge %d is cancelled: nothing is left to write off.", pl.ID)
	case !out.Amount.IsPositive():
		return WriteOffWrite{}, Errorf(ECONFLICT, "Pledge %d has nothing outstanding to write off.", pl.ID)
	}
	p := Problems{}
	reason := Reason(in.Reason, p)
	amount := out.Amount
	if in.Amount.Set {
		amount = in.Amount.Amount("amount", pl.Currency, p)
		if amount.Cmp(out.Amount) > 0 {
			p.Add("amount", "must not exceed what is outstanding ("+out.String()+" "+pl.Currency+")")
		}
	}
	if len(p) > 0 {
		return WriteOffWrite{}, p.Err()
	}
	day := DateOf(now)
	after := st.clone()
	a := &after.Pledge
	a.Schedule = writeOffRows(a.Schedule, MinorUnits(pl.Currency), pl.Paid.Amount, amount)
	a.WrittenOff = Money{pl.WrittenOff.Amount.Add(amount), MinorUnits(pl.Currency)}
	a.UpdatedAt = now
	a.Derive(day)
	fall := pl.OutstandingUSD.Amount.Sub(a.OutstandingUSD.Amount) // kept as made: later payments do not move it
	a.WrittenOffUSD = USD(pl.WrittenOffUSD.Amount.Add(fall))
	after.WriteOffs = append(after.WriteOffs, PledgeWriteOff{Day: day, Amount: amount})
	w := WriteOffWrite{Pledge: after, WriteOff: WriteOff{PledgeID: pl.ID, Amount: Money{amount, MinorUnits(pl.Currency)},
		Currency: pl.Currency, AmountUSD: USD(fall), Day: day,
		Reason: reason, CreatedAt: now, CreatedBy: by}}
	pledgeEffects(&w.Effects, st, after)
	return w, nil
}

// DecideReschedule decides replacing a pledge's schedule (issue 11): the new
// amounts sum to what is neither written off nor cancelled of it (amount −
// written_off); what was paid stays allocated, oldest due first. Totals do
// not move: only when the money is due changes.
func DecideReschedule(st *PledgeState, in ScheduleBody, now time.Time) (PledgeWrite, error) {
	pl := st.Pledge
	if pl.Cancelled {
		return PledgeWrite{}, Errorf(ECONFLICT, "Pledge %d is cancelled: its schedule cannot change.", pl.ID)
	}
	p := Problems{}
	if !in.Schedule.Set {
		p.Add("schedule", "is required")
		return PledgeWrite{}, p.Err()
	}
	total := pl.Amount.Amount.Sub(pl.WrittenOff.Amount)
	rows := in.Schedule.Schedule(total, pl.Currency, pl.PledgedOn, p)
	if len(p) > 0 {
		return PledgeWrite{}, p.Err()
	}
	after := st.clone()
	after.Pledge.Schedule = rows
	after.Pledge.UpdatedAt = now
	after.Pledge.Derive(DateOf(now))
	return PledgeWrite{Pledge: after}, nil
}
