package models

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// Issue 11: a pledge is paid in instalments. The schedule (due dates and
// amounts, and the part of each written off) is stored; what each instalment
// has been paid is not: Allocate derives it from the pledge's paid total, so
// there is no stored allocation to drift. Payments fill the instalments in
// order of due date, oldest first (payments taken in received_on then id
// order, though only their sum matters for how much each instalment holds);
// a void re-allocates from what remains. Write-offs are taken from the last
// instalments backwards.

// Instalment statuses.
const (
	InstalmentScheduled     = "scheduled"
	InstalmentPartiallyPaid = "partially_paid"
	InstalmentPaid          = "paid"
	InstalmentOverdue       = "overdue"
	InstalmentWrittenOff    = "written_off"
	InstalmentCancelled     = "cancelled"
)

// InstalmentStatuses lists every instalment status.
var InstalmentStatuses = []string{InstalmentScheduled, InstalmentPartiallyPaid, InstalmentPaid, InstalmentOverdue,
	InstalmentWrittenOff, InstalmentCancelled}

// Schedule cadences of a generated schedule.
var ScheduleEvery = []string{"month", "quarter", "year"}

// MaxInstalments bounds a schedule's length (50 years of months).
const MaxInstalments = 600

// ScheduleRow is one instalment as stored: its due date ("" for the single
// instalment of a pledge without a due date), its amount in the pledge's
// currency and the part of it written off.
type ScheduleRow struct {
	Seq        int
	DueOn      Date
	Amount     decimal.Decimal
	WrittenOff decimal.Decimal
}

// Instalment is one instalment as answered, its paid part allocated.
type Instalment struct {
	Seq         int    `json:"seq"`
	DueOn       Date   `json:"due_on"`
	Amount      Money  `json:"amount"`
	Paid        Money  `json:"paid"`
	WrittenOff  Money  `json:"written_off"`
	Outstanding Money  `json:"outstanding"`
	Status      string `json:"status"`
}

// Allocate spreads paid over the instalments in due order (rows are in due
// order: seq order), each taking at most what is not written off of it, and
// derives each instalment's status on today. A cancelled pledge's instalments
// owe nothing: those with something unpaid are cancelled.
func Allocate(rows []ScheduleRow, places int32, paid decimal.Decimal, cancelled bool, today Date) []Instalment {
	out := make([]Instalment, len(rows))
	rem := paid
	for i, r := range rows {
		capacity := r.Amount.Sub(r.WrittenOff)
		p := decimal.Min(rem, capacity)
		if p.IsNegative() {
			p = decimal.Zero
		}
		rem = rem.Sub(p)
		owed := capacity.Sub(p)
		in := Instalment{Seq: r.Seq, DueOn: r.DueOn, Amount: Money{r.Amount, places}, Paid: Money{p, places},
			WrittenOff: Money{r.WrittenOff, places}, Outstanding: Money{owed, places}}
		switch {
		case owed.IsZero() && r.WrittenOff.IsPositive():
			in.Status = InstalmentWrittenOff
		case owed.IsZero():
			in.Status = InstalmentPaid
		case cancelled:
			in.Status, in.Outstanding = InstalmentCancelled, Money{decimal.Zero, places}
		case r.DueOn != "" && r.DueOn < today:
			in.Status = InstalmentOverdue
		case p.IsPositive():
			in.Status = InstalmentPartiallyPaid
		default:
			in.Status = InstalmentScheduled
		}
		out[i] = in
	}
	return out
}

// nextDue is the due date of the earliest instalment with something
// outstanding ("" when none, or when it has no due date) and whether there is one.
func nextDue(ins []Instalment) (Date, bool) {
	for _, in := range ins {
		if in.Outstanding.Amount.IsPositive() {
			return in.DueOn, true
		}
	}
	return "", false
}

// writeOffRows takes amount off the instalments' outstanding parts, from the
// last backwards, and returns the rows as they become. amount must not exceed
// what is outstanding (paid allocated first).
func writeOffRows(rows []ScheduleRow, places int32, paid, amount decimal.Decimal) []ScheduleRow {
	ins := Allocate(rows, places, paid, false, "")
	out := append([]ScheduleRow(nil), rows...)
	rem := amount
	for i := len(out) - 1; i >= 0 && rem.IsPositive(); i-- {
		take := decimal.Min(rem, ins[i].Outstanding.Amount)
		out[i].WrittenOff = out[i].WrittenOff.Add(take)
		rem = rem.Sub(take)
	}
	return out
}

// RowsOn are the schedule's rows as they stood on day d, for ?as_of= views:
// the write-offs made after d (writtenOffLater in all) are taken back from
// the earliest written-off instalments first (the reverse of how they were
// taken); what a reschedule has since dropped from the rows is owed again
// on the last one.
func RowsOn(rows []ScheduleRow, writtenOffLater decimal.Decimal) []ScheduleRow {
	if !writtenOffLater.IsPositive() || len(rows) == 0 {
		return rows
	}
	out := append([]ScheduleRow(nil), rows...)
	rem := writtenOffLater
	for i := range out {
		back := decimal.Min(rem, out[i].WrittenOff)
		out[i].WrittenOff = out[i].WrittenOff.Sub(back)
		rem = rem.Sub(back)
	}
	if rem.IsPositive() {
		out[len(out)-1].Amount = out[len(out)-1].Amount.Add(rem)
	}
	return out
}

// SingleInstalment is the schedule of a pledge given no schedule: its whole
// amount due on its due date (none when it has none).
func SingleInstalment(amount decimal.Decimal, dueOn Date) []ScheduleRow {
	return []ScheduleRow{{Seq: 1, DueOn: dueOn, Amount: amount, WrittenOff: decimal.Zero}}
}

// ScheduleInput is a schedule given in a request: explicit rows, or a
// generated one ({"instalments", "every", "first_due_on"}).
type ScheduleInput struct {
	Set       bool // present and not null
	Wrong     bool // neither an array nor an object
	Rows      []ScheduleRowInput
	Generated *GeneratedSchedule
	raw       json.RawMessage
}

// ScheduleRowInput is one explicit instalment.
type ScheduleRowInput struct {
	DueOn  DateInput    `json:"due_on"`
	Amount DecimalInput `json:"amount"`
}

// GeneratedSchedule asks for equal instalments at a cadence.
type GeneratedSchedule struct {
	Instalments json.RawMessage `json:"instalments"`
	Every       string          `json:"every"`
	FirstDueOn  DateInput       `json:"first_due_on"`
}

// UnmarshalJSON keeps an array or an object; their members are checked by Rows.
func (s *ScheduleInput) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*s = ScheduleInput{raw: append(json.RawMessage(nil), b...)}
	switch {
	case bytes.Equal(b, []byte("null")):
	case len(b) > 0 && b[0] == '[':
		s.Set = true
		var items []json.RawMessage
		if err := json.Unmarshal(b, &items); err != nil {
			s.Wrong = true
			return nil
		}
		for _, it := range items {
			var r ScheduleRowInput
			if strictInto(it, &r) != nil {
				s.Wrong = true
				return nil
			}
			s.Rows = append(s.Rows, r)
		}
	case len(b) > 0 && b[0] == '{':
		s.Set = true
		var g GeneratedSchedule
		if strictInto(b, &g) != nil {
			s.Wrong = true
			return nil
		}
		s.Generated = &g
	default:
		s.Set, s.Wrong = true, true
	}
	return nil
}

// MarshalJSON writes the schedule as given (request fingerprints).
func (s ScheduleInput) MarshalJSON() ([]byte, error) {
	if !s.Set {
		return []byte("null"), nil
	}
	return s.raw, nil
}

func strictInto(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// Schedule validates a schedule for a total in a currency, due on or after
// from, and returns its rows; problems go to "schedule" or
// "schedule[i].field" (explicit) and "schedule.field" (generated).
func (s ScheduleInput) Schedule(total decimal.Decimal, currencyCode string, from Date, p Problems) []ScheduleRow {
	switch {
	case !s.Set:
		return nil
	case s.Wrong:
		p.Add("schedule", `must be a list of {"due_on", "amount"} or {"instalments", "every", "first_due_on"}`)
		return nil
	case s.Generated != nil:
		return s.Generated.rows(total, currencyCode, from, p)
	}
	if len(s.Rows) == 0 {
		p.Add("schedule", "must have at least one instalment")
		return nil
	}
	if len(s.Rows) > MaxInstalments {
		p.Add("schedule", "may have at most "+strconv.Itoa(MaxInstalments)+" instalments")
		return nil
	}
	rows := make([]ScheduleRow, len(s.Rows))
	sum, ok := decimal.Zero, true
	before := p.count()
	for i, r := range s.Rows {
		f := "schedule[" + strconv.Itoa(i) + "]."
		due := r.DueOn.Required(f+"due_on", p)
		amount := r.Amount.Amount(f+"amount", currencyCode, p)
		switch {
		case due == "":
		case from != "" && due < from:
			p.Add(f+"due_on", "must be on or after pledged_on ("+string(from)+")")
		case i > 0 && rows[i-1].DueOn != "" && due <= rows[i-1].DueOn:
			p.Add(f+"due_on", "must be after the previous instalment's due date ("+string(rows[i-1].DueOn)+")")
		}
		if amount.IsZero() {
			ok = false
		}
		sum = sum.Add(amount)
		rows[i] = ScheduleRow{Seq: i + 1, DueOn: due, Amount: amount, WrittenOff: decimal.Zero}
	}
	if ok && p.count() == before && !total.IsZero() && !sum.Equal(total) {
		p.Add("schedule", "the instalments sum to "+Money{sum, MinorUnits(currencyCode)}.String()+" "+currencyCode+
			", not "+Money{total, MinorUnits(currencyCode)}.String()+" "+currencyCode)
	}
	return rows
}

func (p Problems) count() int { return len(p) }

// rows generates equal instalments in minor units, the remainder on the last.
func (g GeneratedSchedule) rows(total decimal.Decimal, currencyCode string, from Date, p Problems) []ScheduleRow {
	n, err := strconv.Atoi(string(bytes.TrimSpace(g.Instalments)))
	if err != nil || n < 1 || n > MaxInstalments {
		p.Add("schedule.instalments", "must be a whole number from 1 to "+strconv.Itoa(MaxInstalments))
	}
	every := OneOf("schedule.every", g.Every, "", ScheduleEvery, p)
	first := g.FirstDueOn.Required("schedule.first_due_on", p)
	if first != "" && from != "" && first < from {
		p.Add("schedule.first_due_on", "must be on or after pledged_on ("+string(from)+")")
	}
	if len(p) > 0 || total.IsZero() {
		return nil
	}
	places := MinorUnits(currencyCode)
	minor := ToMinor(total, places)
	part := minor / int64(n)
	if part == 0 {
		p.Add("schedule.instalments", "is more than the amount has minor units: each instalment must be above 0")
		return nil
	}
	months := map[string]int{"month": 1, "quarter": 3, "year": 12}[every]
	start, _ := time.Parse(DateLayout, string(first))
	rows := make([]ScheduleRow, n)
	for i := range rows {
		amt := part
		if i == n-1 {
			amt = minor - part*int64(n-1)
		}
		rows[i] = ScheduleRow{Seq: i + 1, DueOn: addMonthsClamped(start, i*months), Amount: FromMinor(amt, places), WrittenOff: decimal.Zero}
	}
	return rows
}

// addMonthsClamped adds months to t keeping its day of month, or the month's
// last day when the month is shorter (31 January + 1 month = 28 or 29 February).
func addMonthsClamped(t time.Time, months int) Date {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		d = last
	}
	return DateOf(time.Date(first.Year(), first.Month(), d, 0, 0, 0, 0, time.UTC))
}

// ScheduleBody is the body of PUT /pledges/{id}/schedule.
type ScheduleBody struct {
	Schedule ScheduleInput `json:"schedule"`
}

// WriteOffInput is the body of POST /pledges/{id}/write-off.
type WriteOffInput struct {
	Amount DecimalInput `json:"amount"`
	Reason string       `json:"reason"`
}

// WriteOff is a part of a pledge it is agreed will never be paid (kept
// apart from cancellations, as NPSP does).
type WriteOff struct {
	ID        int64     `json:"id"`
	PledgeID  int64     `json:"pledge_id"`
	Amount    Money     `json:"amount"`
	Currency  string    `json:"currency"`
	AmountUSD Money     `json:"amount_usd"` // the fall in the pledge's outstanding_usd
	Day       Date      `json:"day"`
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

// PledgeWriteOff is a written-off amount as it bears on a pledge's history.
type PledgeWriteOff struct {
	Day    Date
	Amount decimal.Decimal
}

// InstalmentsOn are the pledge's instalments as they stood at the end of day
// d (for ageing ?as_of=): payments received by d and not voided by d, the
// write-offs made by d, cancelled if it was by d; none before it was pledged.
// The current schedule is used: a schedule's earlier versions are in the audit
// trail, not in the ledger.
func (s *PledgeState) InstalmentsOn(d Date) []Instalment {
	pl := s.Pledge
	if d < pl.PledgedOn || pl.Schedule == nil {
		return nil
	}
	h := s.History()
	later := pl.WrittenOff.Amount.Sub(h.WrittenOffOn(d))
	cancelled := h.CancelDay != "" && h.CancelDay <= d
	return Allocate(RowsOn(pl.Schedule, later), MinorUnits(pl.Currency), h.PaidOn(d), cancelled, d)
}

// OpenInstalment is an instalment with something outstanding, and that
// outstanding in USD cents.
type OpenInstalment struct {
	Instalment
	OutstandingUSDCents int64
}

// OpenInstalmentsOn are the instalments with something outstanding at the
// end of day d, each with its outstanding in USD at the pledge's rate, to the
// cent; they sum exactly to the pledge's outstanding_usd on d, the rounding
// remainder going to the last open instalment.
func (s *PledgeState) OpenInstalmentsOn(d Date) []OpenInstalment {
	var open []OpenInstalment
	var sum int64
	for _, in := range s.InstalmentsOn(d) {
		if !in.Outstanding.Amount.IsPositive() {
			continue
		}
		c := ToMinor(ToUSD(in.Outstanding.Amount, s.Pledge.ExchangeRate.Decimal), 2)
		open = append(open, OpenInstalment{Instalment: in, OutstandingUSDCents: c})
		sum += c
	}
	if n := len(open); n > 0 {
		open[n-1].OutstandingUSDCents += s.History().OutstandingOn(d) - sum
	}
	return open
}
