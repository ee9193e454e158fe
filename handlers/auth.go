package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
)

// CookieName is the browser session cookie.
const CookieName = "fundtracker_session"

// AuthStore signs users in and out and keeps their tokens.
type AuthStore interface {
	Login(ctx context.Context, in models.LoginInput, ip string) (models.User, string, error)
	Authenticate(ctx context.Context, secret string) (models.User, models.Token, error)
	RevokeToken(ctx context.Context, a models.Actor, tokenID int64) error
	RevokeAnyToken(ctx context.Context, a models.Actor, tokenID int64) error
	CreateAPIToken(ctx context.Context, a models.Actor, in models.TokenInput) (models.Token, error)
	Tokens(ctx context.Context, userID int64, pg models.PageRequest) (models.Page[models.Token], error)
}

// Authenticate reads the credentials of a request, if any: a bearer token, or
// else the session cookie. Wrong credentials are 401. A request that writes
// with a cookie (no Authorization header) must come from the same origin.
func (h *Handler) Authenticate(c *gin.Context) {
	secret, fromCookie := "", false
	if authz := c.GetHeader("Authorization"); authz != "" {
		scheme, token, ok := strings.Cut(authz, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			Error(c, models.Errorf(models.EUNAUTHORIZED, "The Authorization header must be \"Bearer <token>\"."))
			return
		}
		secret = strings.TrimSpace(token)
	} else if cookie, err := c.Cookie(CookieName); err == nil && cookie != "" {
		secret, fromCookie = cookie, true
	}
	if c.GetHeader("Authorization") == "" {
		if err := h.cop.Check(c.Request); err != nil {
			slog.WarnContext(c.Request.Context(), "cross-origin write refused", "path", c.FullPath(), "origin", c.GetHeader("Origin"),
				"sec_fetch_site", c.GetHeader("Sec-Fetch-Site"))
			Error(c, models.Errorf(models.EFORBIDDEN, "Cross-origin requests that write with a cookie are refused."))
			return
		}
	}
	if secret == "" {
		c.Next()
		return
	}
	u, tok, err := h.auth.Authenticate(c.Request.Context(), secret)
	if err != nil {
		if fromCookie && models.ErrorCode(err) == models.EUNAUTHORIZED {
			h.clearCookie(c) // a stale session: carry on as anonymous
			c.Next()
			return
		}
		Error(c, err)
		return
	}
	c.Set(userKey, u)
	c.Set(tokenKey, tok.ID)
	c.Set(scopeKey, tok.Scope)
	if tok.Scope == models.ScopeRead && c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
		Error(c, models.Errorf(models.EFORBIDDEN, "This API token is read-only: it may only GET and HEAD."))
		return
	}
	c.Next()
}

// Require refuses requests without a signed-in user (401) or whose role does
// not allow what needs role (403). Require(RoleStaff) lets every role read
// (GET and HEAD: the staff lists, exports and reports) and admin and staff
// write; a fund_manager writes only through routes that check the fund
// (RequireFundWrite, FundOfRecord, FundOfBody), so that a new write route
// fails closed for it. docs/access.md has the whole table.
func Require(role string) gin.HandlerFunc {
	return func(c *gin.Context) {
		u := currentUser(c)
		read := c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead
		switch {
		case u.ID == 0:
			Error(c, models.Errorf(models.EUNAUTHORIZED, "Sign in first: send a bearer token or the session cookie."))
		case role == models.RoleStaff && read && u.CanRead():
			c.Next()
		case role == models.RoleStaff && !u.Can(role):
			Error(c, models.Errorf(models.EFORBIDDEN, "Your role (%s) may not make this change.", u.Role))
		case !u.Can(role):
			Error(c, models.Errorf(models.EFORBIDDEN, "This needs the %s role.", role))
		default:
			c.Next()
		}
	}
}

func (h *Handler) setCookie(c *gin.Context, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: CookieName, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: h.SecureCookies || c.Request.TLS != nil, SameSite: http.SameSiteLaxMode})
}

func (h *Handler) clearCookie(c *gin.Context) { h.setCookie(c, "", -1) }

// Login answers POST /auth/login with a token and sets the session cookie.
func (h *Handler) Login(c *gin.Context) {
	var in models.LoginInput
	if err := decode(c, &in); err != nil {
		Error(c, err)
		return
	}
	if err := in.Validate(); err != nil {
		Error(c, err)
		return
	}
	u, secret, err := h.auth.Login(c.Request.Context(), in, c.ClientIP())
	if err != nil {
		Error(c, err)
		return
	}
	h.setCookie(c, secret, int(models.SessionTTL.Seconds()))
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"token": secret, "user": gin.H{"id": u.ID, "email": u.Email, "role": u.Role}})
}

// Logout answers POST /auth/logout: the session or token used is revoked.
func (h *Handler) Logout(c *gin.Context) {
	if err := h.auth.RevokeToken(c.Request.Context(), actor(c), c.GetInt64(tokenKey)); err != nil {
		Error(c, err)
		return
	}
	h.clearCookie(c)
	c.Status(http.StatusNoContent)
}

// Me answers GET /auth/me: who is signed in.
func (h *Handler) Me(c *gin.Context) {
	c.JSON(http.StatusOK, currentUser(c))
}

// ListTokens answers GET /tokens: the signed-in user's tokens or, for an
// admin, those of the user named by ?user_id=.
func (h *Handler) ListTokens(c *gin.Context) {
	q := newQuery(c)
	userID := q.id("user_id")
	pg := q.page()
	if err := q.err(); err != nil {
		Error(c, err)
		return
	}
	me := currentUser(c)
	if userID == 0 {
		userID = me.ID
	}
	if userID != me.ID && me.Role != models.RoleAdmin {
		Error(c, models.Errorf(models.EFORBIDDEN, "Only an admin lists the tokens of other users."))
		return
	}
	page, err := h.auth.Tokens(c.Request.Context(), userID, pg)
	if err != nil {
		Error(c, err)
		return
	}
	c.JSON(http.StatusOK, page)
}

// CreateToken answers POST /tokens: a new API token, its secret shown once.
func (h *Handler) CreateToken(c *gin.Context) {
	var in models.TokenInput
	if err := decode(c, &in); err != nil {
		Error(c, err)
		return
	}
	t, err := h.auth.CreateAPIToken(c.Request.Context(), actor(c), in)
	if err != nil {
		Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, t)
}

// RevokeToken answers DELETE /tokens/{id}: one's own token, or any user's for an admin.
func (h *Handler) RevokeToken(c *gin.Context) {
	id, err := pathID(c, "id", "token")
	if err != nil {
		Error(c, err)
		return
	}
	revoke := h.auth.RevokeToken
	if currentUser(c).Role == models.RoleAdmin {
		revoke = h.auth.RevokeAnyToken
	}
	if err := revoke(c.Request.Context(), actor(c), id); err != nil {
		Error(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
