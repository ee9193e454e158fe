package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

// Issue 11: payment reminders (docs/reminders.md). A run creates the
// reminders due (INSERT ... ON CONFLICT DO NOTHING on a unique index: each
// (instalment, kind, sequence) once, however many instances run), then goes
// over the pending ones: each is claimed by one instance (status sending, a
// lease), checked again against its pledge as it stands (paid, written off,
// cancelled or rescheduled: skipped), and sent, at most once.

// Reminder sending settings (variables: tests shorten them).
var (
	// ReminderBackoff is the wait after each failed attempt; a reminder is
	// failed for good once it has failed len(ReminderBackoff)+1 times.
	ReminderBackoff = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour}
	// ReminderLease is how long a claim holds; a send (the SMTP client's
	// timeout, 30 s) ends well within it.
	ReminderLease = 10 * time.Minute
	// ReminderBatch bounds how many pending reminders one run goes over.
	ReminderBatch = 500
)

// Why a reminder was skipped or failed, as answered in its error.
const (
	reasonNoEmail     = "the donor has no contact e-mail"
	reasonPolicyOff   = "the fund's reminders were turned off"
	reasonSuperseded  = "a later overdue reminder of the instalment was created"
	reasonMissed      = "missed while reminders were not running: only the latest overdue reminder due is sent (the catch-up rule)"
	reasonUnknown     = "interrupted while sending (the instance stopped): it may or may not have been delivered; check before sending it by hand"
	reasonNoPledge    = "the pledge was not found"
	reminderOnConflct = ` ON CONFLICT (pledge_id, instalment_seq, due_on, kind, sequence) DO NOTHING`
)

type reminderRow struct {
	ID             int64 `gorm:"primaryKey"`
	PledgeID       int64
	FundID         int64
	DonorID        int64
	InstalmentSeq  int
	DueOn          string
	Kind           string
	Sequence       int
	SendOn         string
	Recipient      string
	Language       string
	Status         string
	Error          string
	Attempts       int
	NextAttemptMs  int64
	ClaimedUntilMs int64
	ClaimToken     string
	Delivering     bool
	CreatedAt      time.Time
	SentAt         *time.Time
}

func (reminderRow) TableName() string { return "reminders" }

func (r reminderRow) model() models.Reminder {
	status := r.Status
	if status == models.ReminderSending {
		status = models.ReminderPending // claimed by an instance sending it: not sent yet
	}
	return models.Reminder{ID: r.ID, PledgeID: r.PledgeID, InstalmentSeq: r.InstalmentSeq, DonorID: r.DonorID, To: r.Recipient,
		Kind: r.Kind, Sequence: r.Sequence, Language: r.Language, Status: status, Error: r.Error, CreatedAt: r.CreatedAt.UTC(),
		SentAt: utcPtr(r.SentAt), FundID: r.FundID, DueOn: models.Date(r.DueOn), SendOn: models.Date(r.SendOn), Attempts: r.Attempts}
}

func reminderPolicyOf(s string) *models.ReminderPolicy {
	if s == "" {
		return nil
	}
	var p models.ReminderPolicy
	if json.Unmarshal([]byte(s), &p) != nil {
		return nil
	}
	return &p
}

// SetMailer sets how reminders are e-mailed; nil (the default) leaves them
// pending, to be sent by hand.
func (s *Store) SetMailer(m models.MailSender) { s.mailer = m }

// MailConfigured tells whether a mailer is set: without one, pending
// reminders are to be sent by hand.
func (s *Store) MailConfigured() bool { return s.mailer != nil }

// Reminders lists reminders, newest first.
func (s *Store) Reminders(ctx context.Context, f models.ReminderFilter, pg models.PageRequest) (models.Page[models.Reminder], error) {
	q := s.r.WithContext(ctx).Model(&reminderRow{})
	if f.FundID != 0 {
		q = q.Where("fund_id = ?", f.FundID)
	}
	switch f.Status {
	case "":
	case models.ReminderPending:
		q = q.Where("status IN ?", []string{models.ReminderPending, models.ReminderSending})
	default:
		q = q.Where("status = ?", f.Status)
	}
	return listPage(q, "id", pg, reminderRow.model, func(r models.Reminder) int64 { return r.ID })
}

// RunReminders creates the reminders due today and sends (or, without a
// mailer, re-checks) the pending ones. Several instances may run it at once.
func (s *Store) RunReminders(ctx context.Context) (models.ReminderRun, error) {
	run := models.ReminderRun{Mail: s.MailConfigured()}
	today := s.today()
	if err := s.createReminders(ctx, today, &run); err != nil {
		return run, wrap("create reminders", err)
	}
	if err := s.expireClaims(ctx, &run); err != nil {
		return run, wrap("expire reminder claims", err)
	}
	if err := s.sendReminders(ctx, today, &run); err != nil {
		return run, wrap("send reminders", err)
	}
	var n int64
	err := s.r.WithContext(ctx).Model(&reminderRow{}).Where("status IN ?", []string{models.ReminderPending, models.ReminderSending}).Count(&n).Error
	run.Pending = int(n)
	return run, wrap("count reminders", err)
}

// reminderKey names an instalment's reminders of a kind.
type reminderKey struct {
	PledgeID      int64
	InstalmentSeq int
	DueOn         string
	Kind          string
}

// createReminders inserts the reminders due today of every fund with a
// policy: for each open instalment of a live pledge, those due
// (models.ReminderPolicy.Due: of the overdue ones missed while the scheduler
// was not running, only the latest is pending, the others skipped), and none
// whose sequence an existing one of the instalment reaches.
func (s *Store) createReminders(ctx context.Context, today models.Date, run *models.ReminderRun) error {
	db := s.r.WithContext(ctx)
	var funds []fundRow
	if err := db.Where("reminder_policy <> ''").Order("id").Find(&funds).Error; err != nil {
		return err
	}
	var due []reminderRow
	for _, f := range funds {
		policy := reminderPolicyOf(f.ReminderPolicy)
		if policy == nil {
			continue
		}
		// next_due_on is the earliest due date with something outstanding
		// ('' when nothing is, or when it has no due date): a pledge whose
		// earliest is beyond the horizon has no reminder due.
		where := func(q *gorm.DB) *gorm.DB {
			return q.Where("pledges.fund_id = ? AND pledges.cancelled_at IS NULL AND pledges.next_due_on <> '' AND pledges.next_due_on <= ?",
				f.ID, string(policy.Horizon(today)))
		}
		err := eachPledgeState(db, today, where, func(st *models.PledgeState, _ models.Date) error {
			pl := st.Pledge
			for _, in := range pl.Instalments {
				if !in.Outstanding.Amount.IsPositive() || in.Status == models.InstalmentCancelled {
					continue
				}
				for _, d := range policy.Due(in.DueOn, today) {
					r := reminderRow{PledgeID: pl.ID, FundID: pl.FundID, DonorID: pl.DonorID, InstalmentSeq: in.Seq,
						DueOn: string(in.DueOn), Kind: d.Kind, Sequence: d.Sequence, SendOn: string(d.SendOn)}
					if d.Missed {
						r.Status, r.Error = models.ReminderSkipped, reasonMissed
					}
					due = append(due, r)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if len(due) == 0 {
		return nil
	}
	latest, err := latestSequences(db, pledgeIDsOf(due))
	if err != nil {
		return err
	}
	donors, err := donorsByID(db, donorIDsOf(due))
	if err != nil {
		return err
	}
	now := s.now()
	fresh := due[:0]
	for _, r := range due {
		if latest[reminderKey{r.PledgeID, r.InstalmentSeq, r.DueOn, r.Kind}] >= r.Sequence {
			continue // created before (or a later one was)
		}
		d := donors[r.DonorID]
		r.Recipient, r.Language, r.CreatedAt = d.ContactEmail, d.model().Language, now
		switch {
		case r.Status == models.ReminderSkipped: // missed (the catch-up rule)
		case r.Recipient == "":
			r.Status, r.Error = models.ReminderSkipped, reasonNoEmail
		default:
			r.Status = models.ReminderPending
		}
		fresh = append(fresh, r)
	}
	for start := 0; start < len(fresh); start += 200 {
		chunk := fresh[start:min(start+200, len(fresh))]
		var queued, skipped int
		err := s.writer.do(ctx, func(tx *gorm.DB) error {
			queued, skipped = 0, 0 // the PostgreSQL writer may run this again
			for _, r := range chunk {
				res := tx.Exec(`INSERT INTO reminders (pledge_id, fund_id, donor_id, instalment_seq, due_on, kind, sequence, send_on,
					recipient, language, status, error, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`+reminderOnConflct,
					r.PledgeID, r.FundID, r.DonorID, r.InstalmentSeq, r.DueOn, r.Kind, r.Sequence, r.SendOn,
					r.Recipient, r.Language, r.Status, r.Error, r.CreatedAt)
				if res.Error != nil {
					return res.Error
				}
				if res.RowsAffected == 1 {
					if r.Status == models.ReminderSkipped {
						skipped++
					} else {
						queued++
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		run.Queued += queued
		run.Skipped += skipped
	}
	return nil
}

func pledgeIDsOf(rs []reminderRow) []int64 {
	seen := map[int64]bool{}
	var ids []int64
	for _, r := range rs {
		if !seen[r.PledgeID] {
			seen[r.PledgeID] = true
			ids = append(ids, r.PledgeID)
		}
	}
	return ids
}

// latestSequences is the highest sequence created of each instalment's kind.
func latestSequences(db *gorm.DB, pledgeIDs []int64) (map[reminderKey]int, error) {
	out := map[reminderKey]int{}
	for start := 0; start < len(pledgeIDs); start += 500 {
		var rows []struct { // flat: Scan fills no embedded struct
			PledgeID      int64
			InstalmentSeq int
			DueOn         string
			Kind          string
			Sequence      int
		}
		err := db.Raw(`SELECT pledge_id, instalment_seq, due_on, kind, MAX(sequence) AS sequence FROM reminders
			WHERE pledge_id IN ? GROUP BY pledge_id, instalment_seq, due_on, kind`, pledgeIDs[start:min(start+500, len(pledgeIDs))]).
			Scan(&rows).Error
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[reminderKey{r.PledgeID, r.InstalmentSeq, r.DueOn, r.Kind}] = r.Sequence
		}
	}
	return out, nil
}

func donorIDsOf(rs []reminderRow) []int64 {
	var ids []int64
	for _, r := range rs {
		ids = append(ids, r.DonorID)
	}
	return ids
}

// donorsByID reads donors by id.
func donorsByID(db *gorm.DB, donorIDs []int64) (map[int64]donorRow, error) {
	seen := map[int64]bool{}
	var ids []int64
	for _, id := range donorIDs {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	out := map[int64]donorRow{}
	for start := 0; start < len(ids); start += 500 {
		var rows []donorRow
		if err := db.Where("id IN ?", ids[start:min(start+500, len(ids))]).Find(&rows).Error; err != nil {
			return nil, err
		}
		for _, d := range rows {
			out[d.ID] = d
		}
	}
	return out, nil
}

// expireClaims ends the claims whose lease ran out (their instance stopped):
// one stopped before handing the message to SMTP is pending again; one
// stopped while handing it over may have been delivered, and is failed
// rather than risk sending it twice.
func (s *Store) expireClaims(ctx context.Context, run *models.ReminderRun) error {
	nowMs := s.now().UnixMilli()
	var failed int64
	err := s.writer.do(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE reminders SET status = ?, error = ?, delivering = ? WHERE status = ? AND delivering = ? AND claimed_until_ms < ?`,
			models.ReminderFailed, reasonUnknown, false, models.ReminderSending, true, nowMs)
		if res.Error != nil {
			return res.Error
		}
		failed = res.RowsAffected
		return tx.Exec(`UPDATE reminders SET status = ? WHERE status = ? AND delivering = ? AND claimed_until_ms < ?`,
			models.ReminderPending, models.ReminderSending, false, nowMs).Error
	})
	run.Failed += int(failed)
	return err
}

// reminderFacts are what a reminder is checked against and written with.
type reminderFacts struct {
	states map[int64]*models.PledgeState
	funds  map[int64]fundRow
	donors map[int64]donorRow
	latest map[reminderKey]int
}

func loadReminderFacts(db *gorm.DB, rs []reminderRow, today models.Date) (reminderFacts, error) {
	f := reminderFacts{states: map[int64]*models.PledgeState{}, funds: map[int64]fundRow{}}
	ids := pledgeIDsOf(rs)
	err := eachPledgeState(db, today, func(q *gorm.DB) *gorm.DB { return q.Where("pledges.id IN ?", ids) },
		func(st *models.PledgeState, _ models.Date) error {
			f.states[st.Pledge.ID] = st
			return nil
		})
	if err != nil {
		return f, err
	}
	fundIDs := map[int64]bool{}
	for _, r := range rs {
		fundIDs[r.FundID] = true
	}
	var list []int64
	for id := range fundIDs {
		list = append(list, id)
	}
	var funds []fundRow
	if err := db.Where("id IN ?", list).Find(&funds).Error; err != nil {
		return f, err
	}
	for _, fr := range funds {
		f.funds[fr.ID] = fr
	}
	// The pledge's donor now (a merge moves pledges to the donor kept).
	var donorIDs []int64
	for _, st := range f.states {
		donorIDs = append(donorIDs, st.Pledge.DonorID)
	}
	if f.donors, err = donorsByID(db, donorIDs); err != nil {
		return f, err
	}
	f.latest, err = latestSequences(db, ids)
	return f, err
}

// stop is why r must not be sent on today ("" when it may be).
func (f reminderFacts) stop(r reminderRow, today models.Date) string {
	if reminderPolicyOf(f.funds[r.FundID].ReminderPolicy) == nil {
		return reasonPolicyOff
	}
	st := f.states[r.PledgeID]
	if st == nil {
		return reasonNoPledge
	}
	if why := models.ReminderStop(st, r.InstalmentSeq, models.Date(r.DueOn), r.Kind, today); why != "" {
		return why
	}
	if f.latest[reminderKey{r.PledgeID, r.InstalmentSeq, r.DueOn, r.Kind}] > r.Sequence {
		return reasonSuperseded
	}
	if f.donors[st.Pledge.DonorID].ContactEmail == "" {
		return reasonNoEmail
	}
	return ""
}

// mail writes r's e-mail to its donor, in the donor's language.
func (f reminderFacts) mail(r reminderRow) models.Mail {
	st := f.states[r.PledgeID]
	fund, donor := f.funds[r.FundID].model(), f.donors[st.Pledge.DonorID].model()
	lang := donor.Language
	d := models.ReminderMailData{ReminderID: r.ID, PledgeID: r.PledgeID, Kind: r.Kind, Language: lang, To: donor.ContactEmail,
		DonorName: donor.NameIn(lang), FundName: fund.Localized(lang).Name, Reference: st.Pledge.Reference,
		InstalmentSeq: r.InstalmentSeq, Instalments: len(st.Pledge.Instalments), DueOn: models.Date(r.DueOn), Currency: st.Pledge.Currency}
	for _, in := range st.Pledge.Instalments {
		if in.Seq == r.InstalmentSeq {
			d.Outstanding = in.Outstanding
		}
	}
	return models.ReminderMail(d)
}

// sendReminders goes over the pending reminders whose next attempt is due.
// Without a mailer it only re-checks them (those stopped are skipped; the
// rest stay pending, to be sent by hand). With one, each is claimed, checked
// against its pledge as it stands once claimed, then sent.
func (s *Store) sendReminders(ctx context.Context, today models.Date, run *models.ReminderRun) error {
	var rows []reminderRow
	err := s.r.WithContext(ctx).Where("status = ? AND next_attempt_ms <= ?", models.ReminderPending, s.now().UnixMilli()).
		Order("id").Limit(ReminderBatch).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return err
	}
	if s.mailer == nil {
		facts, err := loadReminderFacts(s.r.WithContext(ctx), rows, today)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if why := facts.stop(r, today); why != "" {
				ok, err := s.finishReminder(ctx, r.ID, "", models.ReminderSkipped, why, nil)
				if err != nil {
					return err
				}
				if ok {
					run.Skipped++
				}
			}
		}
		return nil
	}
	for _, r := range rows {
		if err := ctx.Err(); err != nil {
			return err
		}
		unreached, err := s.sendReminder(ctx, r, today, run)
		if err != nil {
			return err
		}
		if unreached {
			break // the mail server is down: the rest wait for the next run
		}
	}
	return nil
}

// sendReminder claims, checks and sends one reminder.
func (s *Store) sendReminder(ctx context.Context, r reminderRow, today models.Date, run *models.ReminderRun) (unreached bool, err error) {
	token := newClaimToken()
	now := s.now()
	claimed := false
	err = s.writer.do(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE reminders SET status = ?, claim_token = ?, claimed_until_ms = ?, attempts = attempts + 1, delivering = ?
			WHERE id = ? AND status = ? AND next_attempt_ms <= ?`,
			models.ReminderSending, token, now.Add(ReminderLease).UnixMilli(), false, r.ID, models.ReminderPending, now.UnixMilli())
		claimed = res.RowsAffected == 1
		return res.Error
	})
	if err != nil || !claimed {
		return false, err // another instance has it
	}
	r.Attempts++
	// Checked once claimed: a payment, write-off or cancellation committed
	// before the claim stops it.
	facts, err := loadReminderFacts(s.r.WithContext(ctx), []reminderRow{r}, today)
	if err != nil {
		s.releaseClaim(r.ID, token)
		return false, err
	}
	if why := facts.stop(r, today); why != "" {
		ok, err := s.finishReminder(ctx, r.ID, token, models.ReminderSkipped, why, nil)
		if ok {
			run.Skipped++
		}
		return false, err
	}
	m := facts.mail(r)
	// Still ours only while claimed and within the lease: an instance that
	// stalled past it must not send what another may have claimed since.
	stillOurs := false
	err = s.writer.do(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE reminders SET delivering = ?, recipient = ?, language = ?, donor_id = ?
			WHERE id = ? AND claim_token = ? AND status = ? AND claimed_until_ms >= ?`,
			true, m.To, m.Language, facts.states[r.PledgeID].Pledge.DonorID, r.ID, token, models.ReminderSending, s.now().UnixMilli())
		stillOurs = res.RowsAffected == 1
		return res.Error
	})
	if err != nil {
		s.releaseClaim(r.ID, token)
		return false, err
	}
	if !stillOurs {
		return false, nil
	}
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ReminderLease/2)
	sendErr := s.mailer.Send(sendCtx, m)
	cancel()
	if sendErr == nil {
		sent := s.now()
		ok, err := s.finishReminder(context.WithoutCancel(ctx), r.ID, token, models.ReminderSent, "", &sent)
		if ok {
			run.Sent++
		}
		return false, err
	}
	permanent, unreached := models.MailErrorOf(sendErr)
	msg := truncateText(sendErr.Error(), 500)
	if permanent || r.Attempts > len(ReminderBackoff) {
		ok, err := s.finishReminder(context.WithoutCancel(ctx), r.ID, token, models.ReminderFailed, msg, nil)
		if ok {
			run.Failed++
		}
		return unreached, err
	}
	next := s.now().Add(ReminderBackoff[r.Attempts-1]).UnixMilli()
	err = s.writer.do(context.WithoutCancel(ctx), func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE reminders SET status = ?, error = ?, next_attempt_ms = ?, delivering = ? WHERE id = ? AND claim_token = ?`,
			models.ReminderPending, msg, next, false, r.ID, token).Error
	})
	run.Retrying++
	return unreached, err
}

// finishReminder gives a reminder its final status: the one this instance
// claimed (token), or, without a token, a pending one nobody claimed.
func (s *Store) finishReminder(ctx context.Context, id int64, token, status, msg string, sentAt *time.Time) (bool, error) {
	var n int64
	err := s.writer.do(ctx, func(tx *gorm.DB) error {
		q := `UPDATE reminders SET status = ?, error = ?, sent_at = ?, delivering = ? WHERE id = ? AND `
		args := []any{status, msg, sentAt, false, id}
		if token != "" {
			q += "claim_token = ?"
			args = append(args, token)
		} else {
			q += "status = ?"
			args = append(args, models.ReminderPending)
		}
		res := tx.Exec(q, args...)
		n = res.RowsAffected
		return res.Error
	})
	return n == 1, err
}

// releaseClaim gives back a claim this instance could not go on with.
func (s *Store) releaseClaim(id int64, token string) {
	err := s.writer.do(context.Background(), func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE reminders SET status = ? WHERE id = ? AND claim_token = ? AND status = ? AND delivering = ?`,
			models.ReminderPending, id, token, models.ReminderSending, false).Error
	})
	if err != nil {
		s.log.Warn("release reminder claim", "reminder", id, "error", err)
	}
}

func newClaimToken() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func truncateText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// ReminderMessage is the e-mail a reminder would be sent as now (the
// mailer's own builder, to the pledge's donor in the donor's language): what
// staff send by hand when no mail server is set up.
func (s *Store) ReminderMessage(ctx context.Context, id int64) (models.ReminderMessage, error) {
	var r reminderRow
	db := s.r.WithContext(ctx)
	if err := db.Where("id = ?", id).Take(&r).Error; err != nil {
		if isNotFound(err) {
			return models.ReminderMessage{}, notFound("reminder", id)
		}
		return models.ReminderMessage{}, wrap("read reminder", err)
	}
	facts, err := loadReminderFacts(db, []reminderRow{r}, s.today())
	if err != nil {
		return models.ReminderMessage{}, wrap("read reminder", err)
	}
	if facts.states[r.PledgeID] == nil {
		return models.ReminderMessage{}, notFound("pledge", r.PledgeID)
	}
	// What stops the scheduler sending it stops staff too: a paid, written
	// off, cancelled or rescheduled instalment, a later reminder, the policy off.
	if r.Status == models.ReminderPending || r.Status == models.ReminderFailed {
		if why := facts.stop(r, s.today()); why != "" {
			return models.ReminderMessage{}, models.Errorf(models.ECONFLICT, "Reminder %d is no longer to be sent: %s.", id, why)
		}
	}
	m := facts.mail(r)
	return models.ReminderMessage{To: m.To, Language: m.Language, Subject: m.Subject, Text: m.Text, HTML: m.HTML}, nil
}

// reasonBeingSent is the 409 of a reminder an instance is sending.
const reasonBeingSent = "Reminder %d is being sent by the scheduler: it is not marked sent by hand."

// MarkReminderSentByHand records that staff sent a pending (or failed)
// reminder themselves: it is sent, at now, with no error, and audited
// (send_by_hand, with who and the note) in the same transaction. The update
// is conditional on the status, so a scheduler claiming it at the same moment
// either finds it sent (and leaves it) or has claimed it first (409 here);
// the claim token is cleared, so a stalled instance that comes back cannot
// record another result over it. Already sent or skipped: 409.
func (s *Store) MarkReminderSentByHand(ctx context.Context, a models.Actor, id int64, in models.SentByHandInput) (models.Reminder, error) {
	note, err := in.Validate()
	if err != nil {
		return models.Reminder{}, err
	}
	// The address and language it was sent to: the message's, as staff saw it
	// in the preview (read before the write; the donor's now).
	msg, err := s.ReminderMessage(ctx, id)
	if err != nil {
		return models.Reminder{}, err
	}
	var out models.Reminder
	err = s.writer.do(ctx, func(tx *gorm.DB) error {
		var r reminderRow
		if err := s.dialect.forUpdate(tx).Where("id = ?", id).Take(&r).Error; err != nil {
			if isNotFound(err) {
				return notFound("reminder", id)
			}
			return err
		}
		switch r.Status {
		case models.ReminderSending:
			return models.Errorf(models.ECONFLICT, reasonBeingSent, id)
		case models.ReminderSent, models.ReminderSkipped:
			return models.Errorf(models.ECONFLICT, "Reminder %d is already %s: only a pending or failed reminder is marked sent by hand.", id, r.Status)
		}
		before := r.model()
		to, lang := r.Recipient, r.Language
		if msg.To != "" {
			to, lang = msg.To, msg.Language
		}
		now := s.now()
		res := tx.Exec(`UPDATE reminders SET status = ?, error = ?, sent_at = ?, delivering = ?, claim_token = ?, recipient = ?, language = ?
			WHERE id = ? AND status IN ?`, models.ReminderSent, "", now, false, "", to, lang, id,
			[]string{models.ReminderPending, models.ReminderFailed})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 { // claimed by an instance since it was read
			return models.Errorf(models.ECONFLICT, reasonBeingSent, id)
		}
		r.Status, r.Error, r.SentAt, r.Delivering, r.ClaimToken, r.Recipient, r.Language = models.ReminderSent, "", &now, false, "", to, lang
		out = r.model()
		return s.audit(tx, a, models.ActionSendByHand, "reminder", id, before, struct {
			models.Reminder
			SentByHand bool   `json:"sent_by_hand"`
			Note       string `json:"note"`
		}{out, true, note})
	})
	return out, wrap("mark reminder sent by hand", err)
}
