package models

import (
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// Pledge stages (OCHA FTS): announced but not binding, or a signed agreement.
var PledgeStages = []string{"pledge", StageCommitment}

// StageCommitment is the stage of a pledge backed by a signed agreement.
const StageCommitment = "commitment"

// Earmarkings say how freely the fund may use the money.
var Earmarkings = []string{"unearmarked", "softly_earmarked", "earmarked"}

// Pledge statuses.
const (
	StatusOpen          = "open"
	StatusPartiallyPaid = "partially_paid"
	StatusFulfilled     = "fulfilled"
	StatusOverdue       = "overdue"
	StatusCancelled     = "cancelled"
	StatusWrittenOff    = "written_off" // issue 11: nothing outstanding, part written off
)

// PledgeStatuses lists every pledge status, for filters.
var PledgeStatuses = []string{StatusOpen, StatusPartiallyPaid, StatusFulfilled, StatusOverdue, StatusWrittenOff, StatusCancelled}

// Pledge is money a donor has promised to a fund, in the donor's currency.
type Pledge struct {
	ID             int64      `json:"id"`
	FundID         int64      `json:"fund_id"`
	FundCode       string     `json:"fund_code"`
	DonorID        int64      `json:"donor_id"`
	DonorName      string     `json:"donor_name"`
	Amount         Money      `json:"amount"`
	Currency       string     `json:"currency"`
	ExchangeRate   Rate       `json:"exchange_rate"`
	AmountUSD      Money      `json:"amount_usd"`
	Paid           Money      `json:"paid"`
	Outstanding    Money      `json:"outstanding"`
	OutstandingUSD Money      `json:"outstanding_usd"`
	Status         string     `json:"status"`
	PledgedOn      Date       `json:"pledged_on"`
	DueOn          Date       `json:"due_on"`
	Stage          string     `json:"stage"`
	Earmarking     string     `json:"earmarking"`
	Reference      string     `json:"reference"`
	Notes          string     `json:"notes"`
	Cancelled      bool       `json:"cancelled"`
	CancelReason   string     `json:"cancel_reason"`
	CancelledAt    *time.Time `json:"cancelled_at"`
	CancelledBy    string     `json:"cancelled_by"`
	CreatedAt      time.Time  `json:"created_at"`
	CreatedBy      string     `json:"created_by"`
	UpdatedAt      time.Time  `json:"updated_at"`
	// RateEffectiveOn is the effective_on of the recorded rate applied
	// (issue 14); null for USD and for a rate given by hand.
	RateEffectiveOn *Date `json:"rate_effective_on"`
	// Issue 11: what was written off (in the pledge's currency, and the fall
	// it made in outstanding_usd), the earliest due date with something
	// outstanding, and the instalments with their paid part allocated.
	WrittenOff    Money        `json:"written_off"`
	WrittenOffUSD Money        `json:"written_off_usd"`
	NextDueOn     Date         `json:"next_due_on"`
	Instalments   []Instalment `json:"instalments"`
	// Schedule is the stored schedule, when loaded (nil otherwise: Derive
	// then keeps NextDueOn as stored).
	Schedule []ScheduleRow `json:"-"`
}

// OutstandingUSDCents is what a pledge still expects, in USD cents: the part
// of its amount neither paid nor written off (settled) at the pledge's own
// rate, rounded half away from zero to the cent; nothing once cancelled.
func OutstandingUSDCents(amount, settled decimal.Decimal, rate decimal.Decimal, cancelled bool) int64 {
	if cancelled || settled.Cmp(amount) >= 0 {
		return 0
	}
	return ToMinor(ToUSD(amount.Sub(settled), rate), 2)
}

// Derive fills the figures that follow from the amount, the paid and
// written-off parts and the state of the pledge: outstanding (and in USD),
// the instalments (when the schedule is loaded), due_on,
// next_due_on and status on the given day.
func (p *Pledge) Derive(today Date) {
	places := MinorUnits(p.Currency)
	amount, paid, wo, rate := p.Amount.Amount, p.Paid.Amount, p.WrittenOff.Amount, p.ExchangeRate.Decimal
	p.WrittenOff.Places = places
	settled := paid.Add(wo)
	out := amount.Sub(settled)
	if p.Cancelled || out.IsNegative() {
		out = decimal.Zero
	}
	p.Outstanding = Money{out, places}
	p.OutstandingUSD = USDCents(OutstandingUSDCents(amount, settled, rate, p.Cancelled))
	p.WrittenOffUSD.Places = 2 // as stored: the falls each write-off made (DecideWriteOff)
	if p.Schedule != nil {
		p.Instalments = Allocate(p.Schedule, places, paid, p.Cancelled, today)
		p.DueOn = p.Schedule[len(p.Schedule)-1].DueOn
		p.NextDueOn, _ = nextDue(p.Instalments)
	} else if p.NextDueOn == "" {
		// Not loaded: only a single instalment can lack a due date, and then
		// the pledge's due date is its.
		p.NextDueOn = p.DueOn
	}
	if p.Cancelled || out.IsZero() {
		p.NextDueOn = ""
	}
	switch {
	case p.Cancelled:
		p.Status = StatusCancelled
	case paid.Cmp(amount) >= 0:
		p.Status = StatusFulfilled
	case out.IsZero():
		p.Status = StatusWrittenOff
	case p.NextDueOn != "" && p.NextDueOn < today:
		p.Status = StatusOverdue
	case paid.IsZero():
		p.Status = StatusOpen
	default:
		p.Status = StatusPartiallyPaid
	}
}

// PledgeInput is the body of POST /pledges.
type PledgeInput struct {
	FundID       int64        `json:"fund_id"`
	DonorID      int64        `json:"donor_id"`
	Amount       DecimalInput `json:"amount"`
	Currency     string       `json:"currency"`
	PledgedOn    DateInput    `json:"pledged_on"`
	DueOn        DateInput    `json:"due_on"`
	Stage        string       `json:"stage"`
	Earmarking   string       `json:"earmarking"`
	ExchangeRate DecimalInput `json:"exchange_rate"`
	Reference    string       `json:"reference"`
	Notes        string       `json:"notes"`
	// Schedule (issue 11): explicit instalments or a generated schedule;
	// without one, the whole amount is due on due_on.
	Schedule ScheduleInput `json:"schedule"`
}

// Validate checks the input on its own; DecidePledge then checks the fund,
// the donor, the rate and the totals, as the store loaded them. It returns the pledge, the rate given (zero if none) and
// the problems found.
func (in PledgeInput) Validate(today Date) (Pledge, decimal.Decimal, Problems) {
	p := Problems{}
	pl := Pledge{
		FundID:     positiveID("fund_id", in.FundID, p),
		DonorID:    positiveID("donor_id", in.DonorID, p),
		Currency:   CurrencyCode("currency", in.Currency, p),
		PledgedOn:  in.PledgedOn.Required("pledged_on", p),
		DueOn:      in.DueOn.Optional("due_on", p),
		Stage:      OneOf("stage", in.Stage, "pledge", PledgeStages, p),
		Earmarking: OneOf("earmarking", in.Earmarking, "unearmarked", Earmarkings, p),
		Reference:  Text("reference", in.Reference, false, 200, false, p),
		Notes:      Text("notes", in.Notes, false, 5000, true, p),
	}
	pl.Amount = NewMoney(in.Amount.Amount("amount", pl.Currency, p), pl.Currency)
	if pl.DueOn != "" && pl.PledgedOn != "" && pl.DueOn < pl.PledgedOn {
		p.Add("due_on", "must be on or after pledged_on")
	}
	if pl.PledgedOn > today {
		p.Add("pledged_on", "must not be in the future (today is "+string(today)+" UTC)")
	}
	rows := in.Schedule.Schedule(pl.Amount.Amount, pl.Currency, pl.PledgedOn, p)
	switch {
	case rows == nil:
		pl.Schedule = SingleInstalment(pl.Amount.Amount, pl.DueOn)
	case len(rows) > 0 && rows[len(rows)-1].DueOn != "":
		last := rows[len(rows)-1].DueOn
		if in.DueOn.Set && pl.DueOn != "" && pl.DueOn != last {
			p.Add("due_on", "must be the last instalment's due date ("+string(last)+") when a schedule is given")
		}
		pl.Schedule, pl.DueOn = rows, last
	}
	rate := givenRate(in.ExchangeRate, pl.Currency, p)
	return pl, rate, p
}

// PledgePatch is the body of PATCH /pledges/{id}. Currency and rate are
// fixed once recorded; the amount may change, never below what is paid
// (issue 14), its USD value following at the pledge's rate.
type PledgePatch struct {
	Amount     DecimalInput `json:"amount"`
	DueOn      DateInput    `json:"due_on"`
	Stage      *string      `json:"stage"`
	Earmarking *string      `json:"earmarking"`
	Reference  *string      `json:"reference"`
	Notes      *string      `json:"notes"`
}

// Apply validates the patch and writes it onto pl (whose Schedule the
// caller owns). With one instalment, the amount and due date are its own;
// with several, a new amount moves the last instalment by the difference and
// a new due date is the last instalment's (PUT /pledges/{id}/schedule
// changes the others).
func (in PledgePatch) Apply(pl *Pledge) error {
	p := Problems{}
	rows := pl.Schedule
	n := len(rows)
	if in.Amount.Set {
		v := in.Amount.Amount("amount", pl.Currency, p)
		settled := pl.Paid.Amount.Add(pl.WrittenOff.Amount)
		switch {
		case v.IsZero():
		case pl.Cancelled:
			p.Add("amount", "cannot change: the pledge is cancelled")
		case v.Cmp(pl.Paid.Amount) < 0:
			p.Add("amount", "must not be below what is paid ("+pl.Paid.String()+" "+pl.Currency+")")
		case v.Cmp(settled) < 0:
			p.Add("amount", "must not be below what is paid and written off ("+Money{settled, pl.Paid.Places}.String()+" "+pl.Currency+")")
		case n > 0 && rows[n-1].Amount.Add(v.Sub(pl.Amount.Amount)).Cmp(decimal.Max(rows[n-1].WrittenOff, decimal.New(1, -MinorUnits(pl.Currency)))) < 0:
			p.Add("amount", "would take the last instalment to "+Money{rows[n-1].Amount.Add(v.Sub(pl.Amount.Amount)), pl.Paid.Places}.String()+
				" "+pl.Currency+": change the schedule with PUT /api/v1/pledges/"+strconv.FormatInt(pl.ID, 10)+"/schedule")
		default:
			if n > 0 {
				rows[n-1].Amount = rows[n-1].Amount.Add(v.Sub(pl.Amount.Amount))
			}
			pl.Amount = NewMoney(v, pl.Currency)
		}
	}
	if in.DueOn.Given() { // null clears it
		due := in.DueOn.Optional("due_on", p)
		switch {
		case due != "" && due < pl.PledgedOn:
			p.Add("due_on", "must be on or after pledged_on")
		case n > 1 && due == "" && p["due_on"] == "":
			p.Add("due_on", "cannot be cleared: the pledge has "+strconv.Itoa(n)+" instalments")
		case n > 1 && due <= rows[n-2].DueOn:
			p.Add("due_on", "must be after the previous instalment's due date ("+string(rows[n-2].DueOn)+
				"): change the schedule with PUT /api/v1/pledges/"+strconv.FormatInt(pl.ID, 10)+"/schedule")
		default:
			pl.DueOn = due
			if n > 0 {
				rows[n-1].DueOn = due
			}
		}
	}
	if in.Stage != nil {
		pl.Stage = OneOf("stage", *in.Stage, "", PledgeStages, p)
	}
	if in.Earmarking != nil {
		pl.Earmarking = OneOf("earmarking", *in.Earmarking, "", Earmarkings, p)
	}
	if in.Reference != nil {
		pl.Reference = Text("reference", *in.Reference, false, 200, false, p)
	}
	if in.Notes != nil {
		pl.Notes = Text("notes", *in.Notes, false, 5000, true, p)
	}
	return p.Err()
}

// ReasonInput is the body of cancel and void.
type ReasonInput struct {
	Reason string `json:"reason"`
}

// Valid returns the reason, checked.
func (in ReasonInput) Valid() (string, error) {
	p := Problems{}
	reason := Reason(in.Reason, p)
	return reason, p.Err()
}

func positiveID(field string, id int64, p Problems) int64 {
	if id <= 0 {
		p.Add(field, "is required (a positive id)")
	}
	return id
}

// givenRate validates an optional exchange rate given in a request.
func givenRate(in DecimalInput, currencyCode string, p Problems) decimal.Decimal {
	if !in.Set {
		return decimal.Zero
	}
	r := in.Rate("exchange_rate", p)
	if currencyCode == ReportingCurrency && !r.IsZero() && !r.Equal(One.Decimal) {
		p.Add("exchange_rate", "must be 1 for USD")
	}
	return r
}
