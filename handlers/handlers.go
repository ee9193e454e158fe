package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
)

// Handler holds what the handlers need, each as a small interface declared
// where it is used (the *store.Store satisfies them all; tests may fake one).
type Handler struct {
	funds         FundStore
	donors        DonorStore
	rates         RateStore
	pledges       PledgeStore
	contributions ContributionStore
	reports       ReportStore
	auth          AuthStore
	users         UserStore
	audit         AuditStore
	health        HealthStore
	reporting     ReportingStore // issue 13
	access        AccessStore
	documents     DocumentStore
	// DocumentMaxBytes bounds an uploaded document (FUNDTRACKER_DOCUMENT_MAX_BYTES, 20 MiB unless set).
	DocumentMaxBytes int64
	public           PublicStore    // issue 15
	embedOrigins     string         // issue 15: who may frame /embed (FUNDTRACKER_EMBED_ORIGINS)
	breakdown        BreakdownStore // issue 14
	// SecureCookies forces the Secure flag on cookies (behind a TLS proxy).
	SecureCookies bool
	// RateStaleness says when a quoted rate is stale (issue 14).
	RateStaleness models.Staleness
	cop           *http.CrossOriginProtection
	exports       *Exports
	imports       ImportStore // issue 12
	ageing        AgeingStore // issue 11
	// ImportMaxBytes bounds an imported file (FUNDTRACKER_IMPORT_MAX_BYTES, 50 MiB unless set).
	ImportMaxBytes int64
	reminders      ReminderStore // issue 11
}

// Store is everything the handlers use.
type Store interface {
	FundStore
	DonorStore
	RateStore
	PledgeStore
	ContributionStore
	ReportStore
	AuthStore
	UserStore
	AuditStore
	HealthStore
	ReportingStore
	AccessStore
	DocumentStore
	PublicStore
	BreakdownStore
	ImportStore
	AgeingStore
	ReminderStore
}

// New returns the handlers over a store.
func New(s Store) *Handler {
	return &Handler{funds: s, donors: s, rates: s, pledges: s, contributions: s, reports: s, auth: s, users: s,
		audit: s, health: s, reporting: s, breakdown: s, public: s, access: s, documents: s, DocumentMaxBytes: DefaultDocumentMaxBytes,
		cop: http.NewCrossOriginProtection(), exports: NewExports(0, 0),
		imports: s, ImportMaxBytes: DefaultImportMaxBytes, ageing: s, reminders: s}
}

// LimitExports sets how many CSV exports run at once and how long one write
// to an export's client may take (defaults: 4 and 30 s).
func (h *Handler) LimitExports(n int, writeTimeout time.Duration) {
	h.exports = NewExports(n, writeTimeout)
}

const userKey = "user"
const tokenKey = "token_id"
const scopeKey = "token_scope"

// currentUser returns the signed-in user (the zero User when none).
func currentUser(c *gin.Context) models.User {
	u, _ := c.Get(userKey)
	user, _ := u.(models.User)
	return user
}

// actor is who makes the change a request asks for.
func actor(c *gin.Context) models.Actor {
	u := currentUser(c)
	return models.Actor{UserID: u.ID, Email: u.Email, SourceIP: c.ClientIP()}
}

// publicJSON answers a public read with an ETag and revalidation headers; a
// request whose If-None-Match matches gets 304 with no body.
func publicJSON(c *gin.Context, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		Error(c, err)
		return
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	c.Header("ETag", etag)
	c.Header("Cache-Control", "public, no-cache")
	if match := c.GetHeader("If-None-Match"); match != "" && (match == etag || match == "W/"+etag || match == "*") {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", body)
}
