package models

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Issue 11: payment reminders (docs/reminders.md). A fund's reminder policy
// says when its donors are reminded of their instalments; the store creates
// one reminder record per (instalment, kind, sequence) at most and sends it by
// e-mail at most once.

// Reminder kinds.
const (
	ReminderUpcoming = "upcoming"
	ReminderOverdue  = "overdue"
)

// Reminder statuses as answered. The store also has "sending" (a claim held
// by one instance while it sends), answered as pending: it is not sent yet.
const (
	ReminderPending = "pending"
	ReminderSent    = "sent"
	ReminderFailed  = "failed"
	ReminderSkipped = "skipped"
	ReminderSending = "sending" // stored only
)

// ReminderStatuses are the statuses a reminder is answered with.
var ReminderStatuses = []string{ReminderPending, ReminderSent, ReminderFailed, ReminderSkipped}

// DonorLanguages are the languages a donor is written to in (reminders).
var DonorLanguages = Languages

// Bounds of a reminder policy.
const (
	MaxBeforeDueDays    = 365
	MaxOverdueEveryDays = 365
	MaxOverdueReminders = 24
)

// ReminderPolicy is when a fund's donors are reminded: BeforeDueDays before
// an instalment falls due (0: on the day), then on the day after it falls due
// and every OverdueEveryDays after, MaxOverdue times at most (0: never).
type ReminderPolicy struct {
	BeforeDueDays    int `json:"before_due_days"`
	OverdueEveryDays int `json:"overdue_every_days"`
	MaxOverdue       int `json:"max_overdue"`
}

// ReminderPolicyInput is reminder_policy in a fund's body: an object, or null
// (no reminders). It is kept raw and validated by Apply, so that every field
// at fault is named (reminder_policy.before_due_days...).
type ReminderPolicyInput struct {
	Set bool
	Raw json.RawMessage
}

// UnmarshalJSON keeps the value as given.
func (in *ReminderPolicyInput) UnmarshalJSON(b []byte) error {
	*in = ReminderPolicyInput{Set: true, Raw: append(json.RawMessage(nil), bytes.TrimSpace(b)...)}
	return nil
}

// MarshalJSON writes the value as given (request fingerprints).
func (in ReminderPolicyInput) MarshalJSON() ([]byte, error) {
	if !in.Set || len(in.Raw) == 0 {
		return []byte("null"), nil
	}
	return in.Raw, nil
}

// apply validates the input onto *p (nil: no reminders).
func (in ReminderPolicyInput) apply(p **ReminderPolicy, probs Problems) {
	if !in.Set {
		return
	}
	if bytes.Equal(in.Raw, []byte("null")) {
		*p = nil
		return
	}
	var members map[string]json.RawMessage
	if len(in.Raw) == 0 || in.Raw[0] != '{' || json.Unmarshal(in.Raw, &members) != nil {
		probs.Add("reminder_policy", `must be an object {"before_due_days", "overdue_every_days", "max_overdue"} or null`)
		return
	}
	var out ReminderPolicy
	fields := []struct {
		name     string
		min, max int
		v        *int
	}{
		{"before_due_days", 0, MaxBeforeDueDays, &out.BeforeDueDays},
		{"overdue_every_days", 1, MaxOverdueEveryDays, &out.OverdueEveryDays},
		{"max_overdue", 0, MaxOverdueReminders, &out.MaxOverdue},
	}
	known := map[string]bool{}
	ok := true
	for _, f := range fields {
		known[f.name] = true
		name := "reminder_policy." + f.name
		raw, given := members[f.name]
		if !given || bytes.Equal(raw, []byte("null")) {
			probs.Add(name, "is required")
			ok = false
			continue
		}
		n, err := strconv.Atoi(string(raw))
		if err != nil || n < f.min || n > f.max {
			probs.Add(name, "must be a whole number from "+strconv.Itoa(f.min)+" to "+strconv.Itoa(f.max))
			ok = false
			continue
		}
		*f.v = n
	}
	keys := make([]string, 0, len(members))
	for k := range members {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !known[k] {
			probs.Add("reminder_policy."+k, "is not a field of reminder_policy")
			ok = false
		}
	}
	if ok {
		*p = &out
	}
}

// DueReminder is a reminder an instalment is due on a day.
type DueReminder struct {
	Kind     string
	Sequence int
	SendOn   Date // the day the policy sends it on
	// Missed: a later reminder of its kind is due too (the scheduler ran
	// late): it is recorded, skipped, and not sent (the catch-up rule).
	Missed bool
}

// Due lists the reminders due by today for an instalment falling due on
// dueOn: the upcoming one from BeforeDueDays before the due date to the due
// date itself, and every overdue one due so far, at most MaxOverdue. Catch-up
// rule: of the overdue ones, only the latest is sent; the earlier ones a
// scheduler that ran late missed are Missed (recorded as skipped, so that the
// record of each reminder the policy calls for exists, but the donor gets
// one e-mail, not a burst). An instalment without a due date has none.
func (p ReminderPolicy) Due(dueOn, today Date) []DueReminder {
	if dueOn == "" {
		return nil
	}
	var out []DueReminder
	if send := addDays(dueOn, -p.BeforeDueDays); send <= today && today <= dueOn {
		out = append(out, DueReminder{Kind: ReminderUpcoming, Sequence: 1, SendOn: send})
	}
	first := addDays(dueOn, 1)
	if p.MaxOverdue > 0 && p.OverdueEveryDays > 0 && first <= today {
		k := min(p.MaxOverdue, DaysBetween(first, today)/p.OverdueEveryDays+1)
		for n := 1; n <= k; n++ {
			out = append(out, DueReminder{Kind: ReminderOverdue, Sequence: n, SendOn: addDays(first, (n-1)*p.OverdueEveryDays), Missed: n < k})
		}
	}
	return out
}

// Horizon is how far ahead of today a due date can be and have a reminder due.
func (p ReminderPolicy) Horizon(today Date) Date { return addDays(today, p.BeforeDueDays) }

// ReminderStop says why a reminder of the instalment (seq, dueOn) of a
// pledge must not be sent on today, "" when it may: the pledge cancelled,
// the instalment moved by a reschedule, paid or written off, or an upcoming
// reminder whose due date passed.
func ReminderStop(st *PledgeState, seq int, dueOn Date, kind string, today Date) string {
	pl := st.Pledge
	if pl.Cancelled {
		return "the pledge was cancelled"
	}
	var in *Instalment
	for i := range pl.Instalments {
		if pl.Instalments[i].Seq == seq {
			in = &pl.Instalments[i]
		}
	}
	switch {
	case in == nil || in.DueOn != dueOn:
		return "the instalment was rescheduled"
	case in.Status == InstalmentPaid:
		return "the instalment was paid"
	case in.Status == InstalmentWrittenOff:
		return "the instalment was written off"
	case !in.Outstanding.Amount.IsPositive():
		return "nothing is outstanding on the instalment"
	case kind == ReminderUpcoming && today > dueOn:
		return "the instalment fell due before the reminder was sent"
	}
	return ""
}

// Reminder is one reminder as answered (GET /reminders).
type Reminder struct {
	ID            int64      `json:"id"`
	PledgeID      int64      `json:"pledge_id"`
	InstalmentSeq int        `json:"instalment_seq"`
	DonorID       int64      `json:"donor_id"`
	To            string     `json:"to"`
	Kind          string     `json:"kind"`
	Sequence      int        `json:"sequence"`
	Language      string     `json:"language"`
	Status        string     `json:"status"`
	Error         string     `json:"error"`
	CreatedAt     time.Time  `json:"created_at"`
	SentAt        *time.Time `json:"sent_at"`
	// Beside the contract's fields, for the console's outbox.
	FundID   int64 `json:"fund_id"`
	DueOn    Date  `json:"due_on"`
	SendOn   Date  `json:"send_on"`
	Attempts int   `json:"attempts"`
}

// ReminderFilter narrows GET /reminders.
type ReminderFilter struct {
	Status string
	FundID int64
}

// ReminderRun is what one run of the reminders did (POST /reminders/run).
type ReminderRun struct {
	Queued   int  `json:"queued"`   // reminders created to be sent
	Sent     int  `json:"sent"`     // sent by e-mail
	Failed   int  `json:"failed"`   // failed for good (attempts spent, or refused by the server)
	Skipped  int  `json:"skipped"`  // created or stopped as skipped (no e-mail, paid, cancelled...)
	Retrying int  `json:"retrying"` // failed this time, tried again later
	Pending  int  `json:"pending"`  // pending after the run (to send by hand without SMTP)
	Mail     bool `json:"mail"`     // whether e-mail is set up (FUNDTRACKER_SMTP_URL)
}

// ReminderPage is a page of reminders (GET /reminders) with whether e-mail
// is set up: without it pending reminders are to be sent by hand.
type ReminderPage struct {
	Page[Reminder]
	Mail bool `json:"mail"`
}

// Mail is one e-mail to send.
type Mail struct {
	To, Subject, Text, HTML, Language string
	// ID names the message (Message-ID and an X-Fundtracker-Reminder header).
	ID string
}

// MailSender sends e-mail (package mailer over SMTP; tests may fake one).
type MailSender interface {
	Send(ctx context.Context, m Mail) error
}

// MailError is a send that failed: Permanent when the server refused the
// message for good (a 5xx answer: retrying would not help), Unreached when
// the server could not be reached at all (the run stops sending).
type MailError struct {
	Err       error
	Permanent bool
	Unreached bool
}

func (e *MailError) Error() string { return e.Err.Error() }
func (e *MailError) Unwrap() error { return e.Err }

// MailErrorOf reads how a send failed.
func MailErrorOf(err error) (permanent, unreached bool) {
	var me *MailError
	if errors.As(err, &me) {
		return me.Permanent, me.Unreached
	}
	return false, false
}

// ReminderMessage is the e-mail of a reminder as the mailer would send it
// (GET /reminders/{id}/message): for staff sending it by hand.
type ReminderMessage struct {
	To       string `json:"to"`
	Language string `json:"language"`
	Subject  string `json:"subject"`
	Text     string `json:"text"`
	HTML     string `json:"html"`
}

// SentByHandInput is POST /reminders/{id}/sent-by-hand's body: an optional
// note (how it was sent), kept in the audit row.
type SentByHandInput struct {
	Note *string `json:"note"`
}

// MaxSentByHandNote bounds the note, in characters.
const MaxSentByHandNote = 1000

// Validate answers the note, trimmed.
func (in SentByHandInput) Validate() (string, error) {
	if in.Note == nil {
		return "", nil
	}
	note := strings.TrimSpace(*in.Note)
	if n := utf8.RuneCountInString(note); n > MaxSentByHandNote {
		return "", FieldError("note", fmt.Sprintf("must be at most %d characters (it has %d)", MaxSentByHandNote, n))
	}
	return note, nil
}
