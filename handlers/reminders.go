package handlers

import (
	"context"
	"net/http"

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
