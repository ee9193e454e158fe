package handlers

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
)

// Issue 11: payment reminders (docs/reminders.md).

// ReminderStore keeps and runs reminders.
type ReminderStore interface {
	Reminders(ctx context.Context, f models.ReminderFilter, pg models.PageRequest) (models.Page[models.Reminder], error)
	RunReminders(ctx context.Context) (models.ReminderRun, error)
	// MailConfigured tells whether reminders are e-mailed (SMTP set up) or
	// stay pending, to be sent by hand.
	MailConfigured() bool
	ReminderMessage(ctx context.Context, id int64) (models.ReminderMessage, error)
	MarkReminderSentByHand(ctx context.Context, a models.Actor, id int64, in models.SentByHandInput) (models.Reminder, error)
}

// ListReminders answers GET /reminders?status=&fund_id=, newest first, with
// "mail": whether pending reminders will be e-mailed or are to be sent by hand.
func (h *Handler) ListReminders(c *gin.Context) {
	_, page, ok := fetchPage(c, func(q *query) models.ReminderFilter {
		return models.ReminderFilter{Status: q.optional("status", models.ReminderStatuses), FundID: q.id("fund_id")}
	}, h.reminders.Reminders)
	if ok {
		c.JSON(http.StatusOK, models.ReminderPage{Page: page, Mail: h.reminders.MailConfigured()})
	}
}

// RunReminders answers POST /reminders/run: creates the reminders due and
// sends the pending ones now, as the scheduler does every minute.
func (h *Handler) RunReminders(c *gin.Context) {
	run, err := h.reminders.RunReminders(c.Request.Context())
	if err != nil {
		Error(c, err)
		return
	}
	c.JSON(http.StatusOK, run)
}

// ReminderMessage answers GET /reminders/{id}/message: the e-mail the
// reminder would be sent as (subject, text and HTML in the donor's language),
// for staff sending it by hand.
func (h *Handler) ReminderMessage(c *gin.Context) {
	getByID(c, "reminder", h.reminders.ReminderMessage)
}

// MarkReminderSentByHand answers POST /reminders/{id}/sent-by-hand: a pending
// or failed reminder staff sent themselves is recorded sent (409 when it is
// already sent or skipped, or being sent by the scheduler).
// Its body ({"note"}) is optional: an empty one is read as {}.
func (h *Handler) MarkReminderSentByHand(c *gin.Context) {
	if c.Request.ContentLength <= 0 { // none, or sent chunked: an empty one is {}
		b, err := io.ReadAll(io.LimitReader(c.Request.Body, 1<<20))
		if err != nil {
			Error(c, models.Errorf(models.EINVALIDJSON, "The request body could not be read."))
			return
		}
		if strings.TrimSpace(string(b)) == "" {
			b = []byte("{}")
		}
		c.Request.Body = io.NopCloser(bytes.NewReader(b))
	}
	changeByID(c, "reminder", h.reminders.MarkReminderSentByHand)
}
