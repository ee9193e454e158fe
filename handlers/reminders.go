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
}

// ListReminders answers GET /reminders?status=&fund_id=, newest first.
func (h *Handler) ListReminders(c *gin.Context) {
	list(c, func(q *query) models.ReminderFilter {
		return models.ReminderFilter{Status: q.optional("status", models.ReminderStatuses), FundID: q.id("fund_id")}
	}, h.reminders.Reminders)
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
