package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
)

// Issue 16: who may write what, per fund. docs/access.md has the table.

// AccessStore tells which fund a record belongs to.
type AccessStore interface {
	FundOf(ctx context.Context, entity string, id int64) (int64, error)
}

// forbiddenFund is the refusal of a write on a fund the user may not write
// on. It names no record and no fund: the caller learns nothing it may not read.
var forbiddenFund = models.Errorf(models.EFORBIDDEN, "You may not change records of this fund: your role only writes on the funds assigned to you.")

// CanWriteFund reports whether the signed-in user may write records of a
// fund (admin and staff: every fund; fund_manager: its own funds). It answers
// nothing: an import checking row by row reports its own refusals.
func CanWriteFund(c *gin.Context, fundID int64) bool { return currentUser(c).CanWriteFund(fundID) }

// RequireFundWrite is the one check every write of a fund's record makes: it
// answers 401 without a signed-in user and 403 when the user may not write on
// fundID, and returns whether the request may go on. Handlers of new write
// routes (write-offs, schedules, imports, donor links…) call it with the fund
// of the record they touch, or of the record that record points at.
func RequireFundWrite(c *gin.Context, fundID int64) bool {
	u := currentUser(c)
	switch {
	case u.ID == 0:
		Error(c, models.Errorf(models.EUNAUTHORIZED, "Sign in first: send a bearer token or the session cookie."))
	case !u.CanWriteShared():
		Error(c, models.Errorf(models.EFORBIDDEN, "Your role (%s) may not make this change.", u.Role))
	case !u.CanWriteFund(fundID):
		Error(c, forbiddenFund)
	default:
		return true
	}
	return false
}

// requireWriter refuses, before anything is read, a caller whose role writes
// nothing; it answers whether the request may go on.
func requireWriter(c *gin.Context) bool {
	u := currentUser(c)
	switch {
	case u.ID == 0:
		Error(c, models.Errorf(models.EUNAUTHORIZED, "Sign in first: send a bearer token or the session cookie."))
	case !u.CanWriteShared():
		Error(c, models.Errorf(models.EFORBIDDEN, "Your role (%s) may not make this change.", u.Role))
	default:
		return true
	}
	return false
}

// RequireShared lets the roles that write (admin, staff, fund_manager) write
// what all funds share: donors and exchange rates. Reads (GET, HEAD) are open
// to every role.
func RequireShared(c *gin.Context) {
	if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
		Require(models.RoleStaff)(c)
		return
	}
	if requireWriter(c) {
		c.Next()
	}
}

// RequireAuditor lets admins and auditors in (the audit trail).
func RequireAuditor(c *gin.Context) {
	u := currentUser(c)
	switch {
	case u.ID == 0:
		Error(c, models.Errorf(models.EUNAUTHORIZED, "Sign in first: send a bearer token or the session cookie."))
	case !u.CanAudit():
		Error(c, models.Errorf(models.EFORBIDDEN, "This needs the admin or auditor role."))
	default:
		c.Next()
	}
}

// FundOfRecord guards a write on the record named by the path's :id (entity
// "pledge", "contribution" or "document"): the user must write on its fund.
// A record that does not exist is 404, as its handler would answer.
func (h *Handler) FundOfRecord(entity string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !requireWriter(c) {
			return
		}
		u := currentUser(c)
		if u.Role == models.RoleAdmin || u.Role == models.RoleStaff {
			c.Next() // every fund: nothing to look up
			return
		}
		id, err := pathID(c, "id", entity)
		if err != nil {
			Error(c, err)
			return
		}
		fundID, err := h.access.FundOf(c.Request.Context(), entity, id)
		if err != nil {
			Error(c, err)
			return
		}
		if fundID == 0 { // a donor link limited to no fund: shared, like its donor
			c.Next()
			return
		}
		if RequireFundWrite(c, fundID) {
			c.Next()
		}
	}
}

// FundOfBody guards a create whose JSON body names its fund ("fund_id") or a
// pledge it belongs to ("pledge_id"): the user must write on each fund named.
// The body is read (it is bounded by the body limit) and put back for the
// handler, which decodes and validates it strictly; a body naming no fund
// creates nothing (its handler refuses it).
func (h *Handler) FundOfBody(c *gin.Context) {
	if !requireWriter(c) {
		return
	}
	u := currentUser(c)
	if u.Role == models.RoleAdmin || u.Role == models.RoleStaff {
		c.Next()
		return
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			Error(c, models.Errorf(models.ETOOLARGE, "The request body is larger than %d bytes.", mbe.Limit))
			return
		}
		Error(c, models.Errorf(models.EINVALIDJSON, "The request body could not be read."))
		return
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	// The same field matching as decode (encoding/json); a field of the
	// wrong type is left to decode to refuse.
	var names struct {
		FundID   int64  `json:"fund_id"`
		PledgeID *int64 `json:"pledge_id"`
	}
	_ = json.Unmarshal(body, &names)
	if names.FundID > 0 && !RequireFundWrite(c, names.FundID) {
		return
	}
	if names.PledgeID != nil && *names.PledgeID > 0 {
		fundID, err := h.access.FundOf(c.Request.Context(), models.RecordPledge, *names.PledgeID)
		switch {
		case models.ErrorCode(err) == models.ENOTFOUND:
			// no such pledge: the handler names the field at fault
		case err != nil:
			Error(c, err)
			return
		case !RequireFundWrite(c, fundID):
			return
		}
	}
	c.Next()
}
