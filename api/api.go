// Package api assembles the HTTP server: middleware, and one route table.
package api

import (
	"database/sql"
	"log/slog"
	"net/http"
	"time"

	"github.com/fundtracker/fundtracker/frontend"
	"github.com/fundtracker/fundtracker/handlers"
	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
)

// Config is the server's configuration.
type Config struct {
	// MaxBodyBytes bounds request bodies (1 MiB unless set).
	MaxBodyBytes int64
	// SecureCookies sets the Secure flag on cookies even without TLS (behind a TLS proxy).
	SecureCookies bool
	// TrustedProxies are the addresses whose X-Forwarded-For is believed.
	TrustedProxies []string
	// DBs are the database pools, by name, whose figures /metrics reports (optional).
	DBs map[string]*sql.DB
	// MetricsToken is the bearer token /metrics asks for; without one,
	// /metrics is off (404): it is not public (FUNDTRACKER_METRICS_TOKEN).
	MetricsToken string
	// ExportConcurrency is how many CSV exports stream at once (4 unless
	// set); more get 429 with Retry-After. ExportWriteTimeout bounds each
	// write to an export's client (30 s unless set).
	ExportConcurrency  int
	ExportWriteTimeout time.Duration
	// RateStaleDays is FUNDTRACKER_RATE_STALE_DAYS: "45" or "45,EUR=30" (issue 14).
	RateStaleDays string
}

// New returns the HTTP handler of fundtracker over a store.
func New(cfg Config, s handlers.Store) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	r := gin.New()
	r.SetTrustedProxies(cfg.TrustedProxies)
	r.ContextWithFallback = true
	r.HandleMethodNotAllowed = true
	m := newMetrics(cfg.DBs)
	m.token = cfg.MetricsToken
	r.Use(requestID, m.observe, accessLog, recovery, securityHeaders, limitBody(cfg.MaxBodyBytes))
	h := handlers.New(s)
	h.SecureCookies = cfg.SecureCookies
	h.LimitExports(cfg.ExportConcurrency, cfg.ExportWriteTimeout)
	stale, err := models.ParseStaleness(cfg.RateStaleDays)
	if err != nil {
		slog.Warn("FUNDTRACKER_RATE_STALE_DAYS ignored", "error", err)
	}
	h.RateStaleness = stale
	routes(r, h, m)
	r.NoRoute(func(c *gin.Context) {
		handlers.Error(c, models.Errorf(models.ENOTFOUND, "No route %s %s.", c.Request.Method, c.Request.URL.Path))
	})
	r.NoMethod(func(c *gin.Context) {
		// gin has set Allow to the methods the path answers.
		handlers.Error(c, models.Errorf(models.EMETHOD, "Method %s is not allowed on %s: use %s.", c.Request.Method,
			c.Request.URL.Path, c.Writer.Header().Get("Allow")))
	})
	return r
}

// routes is the route table: every path fundtracker answers, in one place.
func routes(r *gin.Engine, h *handlers.Handler, m *metrics) {
	staff := handlers.Require(models.RoleStaff)
	admin := handlers.Require(models.RoleAdmin)
	signedIn := handlers.Require("")

	r.GET("/healthz", h.Healthz)
	r.GET("/readyz", h.Readyz)
	r.GET("/metrics", m.handler())
	r.GET("/api/openapi.json", openAPIJSON)
	r.GET("/api/openapi.yaml", openAPIYAML)

	fe := gin.WrapH(frontend.Handler())
	r.GET("/", fe)
	r.GET("/funds/:code", gin.WrapH(frontend.FundPages(h.FundExists))) // issue 10: an unknown fund is a 404 page
	r.GET("/staff", fe)
	r.GET("/static/*path", fe)
	// Issue 13: the printable fund report (staff, cookie session).
	handlers.ReportCSS = frontend.AssetURL("css/report.css")
	r.GET("/funds/:code/report", h.Authenticate, staff, h.FundReport)

	v1 := r.Group("/api/v1", h.Authenticate)

	v1.POST("/auth/login", h.Login)
	v1.POST("/auth/logout", signedIn, h.Logout)
	v1.GET("/auth/me", signedIn, h.Me)
	v1.GET("/tokens", signedIn, h.ListTokens)
	v1.POST("/tokens", signedIn, h.CreateToken)
	v1.DELETE("/tokens/:id", signedIn, h.RevokeToken)

	v1.GET("/users", admin, h.ListUsers)
	v1.POST("/users", admin, h.CreateUser)
	v1.PATCH("/users/:id", admin, h.UpdateUser)

	v1.GET("/funds", h.ListFunds)
	v1.POST("/funds", admin, h.CreateFund)
	v1.GET("/funds/:fund", h.GetFund)
	v1.PATCH("/funds/:fund", admin, h.UpdateFund)
	v1.GET("/funds/:fund/progress", h.Progress)
	v1.GET("/funds/:fund/donors", h.DonorBreakdown)
	v1.GET("/funds/:fund/donors.csv", h.DonorBreakdownCSV)
	v1.GET("/funds/:fund/timeline", h.Timeline)
	// Issue 14: paid by earmarking and currency, as of a day, for the dashboard.
	v1.GET("/funds/:fund/breakdown", h.FundBreakdown)

	v1.GET("/donors", staff, h.ListDonors)
	v1.POST("/donors", staff, h.CreateDonor)
	v1.GET("/donors/:id", staff, h.GetDonor)
	v1.PATCH("/donors/:id", staff, h.UpdateDonor)
	// Issue 14: merging duplicate donors.
	v1.POST("/donors/:id/merge", admin, h.MergeDonor)

	v1.GET("/exchange-rates", staff, h.ListRates)
	v1.POST("/exchange-rates", staff, h.CreateRate)
	v1.GET("/exchange-rates/quote", staff, h.QuoteRate)

	v1.GET("/pledges", staff, h.ListPledges)
	v1.POST("/pledges", staff, h.CreatePledge)
	v1.GET("/pledges/:id", staff, h.GetPledge)
	v1.PATCH("/pledges/:id", staff, h.UpdatePledge)
	v1.POST("/pledges/:id/cancel", staff, h.CancelPledge)

	v1.GET("/contributions", staff, h.ListContributions)
	v1.POST("/contributions", staff, h.CreateContribution)
	v1.GET("/contributions/:id", staff, h.GetContribution)
	v1.POST("/contributions/:id/void", staff, h.VoidContribution)

	v1.GET("/exports/contributions.csv", staff, h.ExportContributions)
	v1.GET("/exports/pledges.csv", staff, h.ExportPledges)

	// Issue 13: reporting in Excel, IATI 2.03 and OCHA FTS (with HXL).
	v1.GET("/exports/contributions.xlsx", staff, h.ExportContributionsXLSX)
	v1.GET("/exports/pledges.xlsx", staff, h.ExportPledgesXLSX)
	v1.GET("/exports/fts.csv", staff, h.ExportFTS)
	v1.GET("/funds/:fund/donors.xlsx", h.DonorBreakdownXLSX)
	v1.GET("/funds/:fund/iati-activity.xml", h.IATIActivity)

	v1.GET("/audit", admin, h.ListAudit)
}

// NewServer returns an http.Server with timeouts set, so that slow or stuck
// clients cannot hold connections forever.
func NewServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      10 * time.Minute, // whole-ledger CSV exports stream for a while
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn),
	}
}
