package handlers

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
)

// UserStore keeps users.
type UserStore interface {
	CreateUser(ctx context.Context, a models.Actor, in models.UserInput) (models.User, error)
	Users(ctx context.Context, pg models.PageRequest) (models.Page[models.User], error)
	UpdateUser(ctx context.Context, a models.Actor, id int64, in models.UserInput) (models.User, error)
}

// ListUsers answers GET /users.
func (h *Handler) ListUsers(c *gin.Context) {
	q := newQuery(c)
	pg := q.page()
	if err := q.err(); err != nil {
		Error(c, err)
		return
	}
	page, err := h.users.Users(c.Request.Context(), pg)
	if err != nil {
		Error(c, err)
		return
	}
	c.JSON(http.StatusOK, page)
}

// CreateUser answers POST /users.
func (h *Handler) CreateUser(c *gin.Context) {
	var in models.UserInput
	if err := decode(c, &in); err != nil {
		Error(c, err)
		return
	}
	u, err := h.users.CreateUser(c.Request.Context(), actor(c), in)
	if err != nil {
		Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, u)
}

// UpdateUser answers PATCH /users/{id}.
func (h *Handler) UpdateUser(c *gin.Context) { changeByID(c, "user", h.users.UpdateUser) }

// AuditStore reads the audit trail.
type AuditStore interface {
	Audit(ctx context.Context, f models.AuditFilter, pg models.PageRequest) (models.Page[models.AuditEvent], error)
}

// ListAudit answers GET /audit?entity=&entity_id=&actor_id=&action=&from=&to=.
func (h *Handler) ListAudit(c *gin.Context) {
	list(c, func(q *query) models.AuditFilter {
		return models.AuditFilter{Entity: q.enum("entity", models.AuditEntities), EntityID: q.id("entity_id"), ActorID: q.id("actor_id"),
			Action: q.enum("action", models.AuditActions), From: q.date("from"), To: q.date("to")}
	}, h.audit.Audit)
}

// HealthStore says whether the database answers.
type HealthStore interface {
	Ping(ctx context.Context) error
	Ready(ctx context.Context) error
}

// Healthz answers GET /healthz: 200 once the database answers.
func (h *Handler) Healthz(c *gin.Context) {
	if err := h.health.Ping(c.Request.Context()); err != nil {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// Readyz answers GET /readyz: 200 when the database answers and every
// migration is applied.
func (h *Handler) Readyz(c *gin.Context) {
	if err := h.health.Ready(c.Request.Context()); err != nil {
		slog.WarnContext(c.Request.Context(), "not ready", "error", err)
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "not ready"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}
