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
	// DocumentMaxBytes bounds an uploaded document (FUNDTRACKER_DOCUMENT_MAX_BYTES; 20 MiB unless set).
	DocumentMaxBytes int64
	// ImportMaxBytes bounds an imported file (FUNDTRACKER_IMPORT_MAX_BYTES; 50 MiB unless set; issue 12).
	ImportMaxBytes int64
	// EmbedOrigins may frame /embed/funds/{code} (a CSP source list; issue 15).
	// Unset: FUNDTRACKER_EMBED_ORIGINS, else "*".
	EmbedOrigins string
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
	if cfg.DocumentMaxBytes <= 0 {
		cfg.DocumentMaxBytes = handlers.DefaultDocumentMaxBytes
	}
	if cfg.ImportMaxBytes <= 0 {
		cfg.ImportMaxBytes = handlers.DefaultImportMaxBytes
	}
	m := newMetrics(cfg.DBs)
	m.token = cfg.MetricsToken
	r.Use(requestID, m.observe, accessLog, recovery, securityHeaders, limitBody(cfg.MaxBodyBytes, largerBodies(cfg)))
	h := handlers.New(s)
	h.SecureCookies = cfg.SecureCookies
	h.LimitExports(cfg.ExportConcurrency, cfg.ExportWriteTimeout)
	h.DocumentMaxBytes = cfg.DocumentMaxBytes
	h.ImportMaxBytes = cfg.ImportMaxBytes
	if cfg.EmbedOrigins != "" {
		h.SetEmbedOrigins(cfg.EmbedOrigins)
	}
	stale, err := models.ParseStaleness(cfg.RateStaleDays) // serve checks it at start (config.go)
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

// headAsGet answers HEAD wherever GET is answered (RFC 9110 9.3.2; issue 16:
// a read token may GET and HEAD): gin routes HEAD only where it is registered,
// and the route table registers GET alone. The handler sees a GET on a copy of
// the request; net/http still holds the HEAD and sends headers without the body.
// NewServer applies it, so that New stays the bare router the tests walk.
func headAsGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			r = r.Clone(r.Context())
			r.Method = http.MethodGet
		}
		next.ServeHTTP(w, r)
	})
}

// routes is the route table: every path fundtracker answers, in one place.
func routes(r *gin.Engine, h *handlers.Handler, m *metrics) {
	// staff: every role reads (GET); admin and staff write. The write routes
	// of a fund's records check its fund instead (issue 16, docs/access.md).
	staff := handlers.Require(models.RoleStaff)
	admin := handlers.Require(models.RoleAdmin)
	signedIn := handlers.Require("")
	shared := handlers.RequireShared       // donors and rates: every fund's writers
	auditor := handlers.RequireAuditor     // the audit trail: admin and auditor
	bodyFund := h.FundOfBody               // a create: the fund (or pledge) its body names
	pledgeFund := h.FundOfRecord("pledge") // the fund of the pledge in the path
	contributionFund := h.FundOfRecord("contribution")
	documentFund := h.FundOfRecord("document")

	r.GET("/healthz", h.Healthz)
	r.GET("/readyz", h.Readyz)
	r.GET("/metrics", m.handler())
	r.GET("/api/openapi.json", openAPIJSON)
	r.GET("/api/openapi.yaml", openAPIYAML)

	fe := gin.WrapH(frontend.Handler())
	r.GET("/", fe)
	r.GET("/funds/:code", h.FundPage) // issue 15: headline figures rendered on the server; an unknown fund is a 404 page
	r.GET("/staff", fe)
	r.GET("/static/*path", fe)
	// Issue 13: the printable fund report (staff, cookie session).
	handlers.ReportCSS = frontend.AssetURL("css/report.css")
	r.GET("/funds/:code/report", h.Authenticate, staff, h.FundReport)
	// Issue 15: donors' statements, receipts, the embeddable widget and badge.
	r.GET("/donor/:token", h.DonorPage)
	r.GET("/contributions/:id/receipt", h.Authenticate, staff, h.Receipt)
	r.GET("/embed/funds/:code", h.Embed)
	r.GET("/badge/funds/:file", h.Badge)
	r.GET("/robots.txt", h.Robots)

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
	// Issue 11: what donors still owe, aged, and the cash to expect (staff).
	v1.GET("/funds/:fund/ageing", staff, h.Ageing)
	v1.GET("/funds/:fund/ageing.csv", staff, h.AgeingCSV)
	v1.GET("/funds/:fund/ageing.xlsx", staff, h.AgeingXLSX)
	v1.GET("/funds/:fund/forecast", staff, h.Forecast)

	v1.GET("/donors", staff, h.ListDonors)
	v1.POST("/donors", shared, h.CreateDonor)
	v1.GET("/donors/:id", staff, h.GetDonor)
	v1.PATCH("/donors/:id", shared, h.UpdateDonor)
	// Issue 14: merging duplicate donors.
	v1.POST("/donors/:id/merge", admin, h.MergeDonor)

	v1.GET("/exchange-rates", staff, h.ListRates)
	v1.POST("/exchange-rates", shared, h.CreateRate)
	v1.GET("/exchange-rates/quote", staff, h.QuoteRate)

	v1.GET("/pledges", staff, h.ListPledges)
	v1.POST("/pledges", bodyFund, h.CreatePledge)
	v1.GET("/pledges/:id", staff, h.GetPledge)
	v1.PATCH("/pledges/:id", pledgeFund, h.UpdatePledge)
	v1.POST("/pledges/:id/cancel", pledgeFund, h.CancelPledge)
	v1.POST("/pledges/:id/write-off", pledgeFund, h.WriteOffPledge) // issue 11
	v1.PUT("/pledges/:id/schedule", pledgeFund, h.ReschedulePledge)

	v1.GET("/contributions", staff, h.ListContributions)
	v1.POST("/contributions", bodyFund, h.CreateContribution)
	v1.GET("/contributions/:id", staff, h.GetContribution)
	v1.POST("/contributions/:id/void", contributionFund, h.VoidContribution)

	// Issue 16: documents on pledges and contributions (uploads have their own body limit: uploadRoutes).
	v1.GET("/pledges/:id/documents", staff, h.ListDocuments(models.RecordPledge))
	v1.POST("/pledges/:id/documents", pledgeFund, h.UploadDocument(models.RecordPledge))
	v1.GET("/contributions/:id/documents", staff, h.ListDocuments(models.RecordContribution))
	v1.POST("/contributions/:id/documents", contributionFund, h.UploadDocument(models.RecordContribution))
	v1.GET("/documents/:id", staff, h.DownloadDocument)
	v1.POST("/documents/:id/supersede", documentFund, h.SupersedeDocument)

	// Issue 15: open data, donors' statement links, acknowledgements (pages: below).
	v1.GET("/funds/:fund/snapshot.zip", h.Snapshot)
	v1.GET("/donors/:id/links", staff, h.ListDonorLinks)
	v1.POST("/donors/:id/links", bodyFund, h.CreateDonorLink) // a link limited to a fund: that fund's writers
	// Revoking a link limited to a fund: that fund's writers (issue 16); a link for every fund is shared.
	v1.DELETE("/donor-links/:id", h.FundOfRecord("donor link"), h.RevokeDonorLink)
	v1.GET("/donor-view/:token", h.DonorView)
	v1.POST("/contributions/:id/acknowledge", contributionFund, h.AcknowledgeContribution)
	v1.GET("/contributions/:id/receipt", staff, h.Receipt)

	v1.GET("/exports/contributions.csv", staff, h.ExportContributions)
	v1.GET("/exports/pledges.csv", staff, h.ExportPledges)

	// Issue 13: reporting in Excel, IATI 2.03 and OCHA FTS (with HXL).
	v1.GET("/exports/contributions.xlsx", staff, h.ExportContributionsXLSX)
	v1.GET("/exports/pledges.xlsx", staff, h.ExportPledgesXLSX)
	v1.GET("/exports/fts.csv", staff, h.ExportFTS)
	v1.GET("/funds/:fund/donors.xlsx", h.DonorBreakdownXLSX)
	v1.GET("/funds/:fund/iati-activity.xml", h.IATIActivity)

	// Issue 12: imports from spreadsheets (their own body limit: importRoutes);
	// each row is checked against the fund it names (CanWriteFund).
	v1.POST("/imports", shared, h.CreateImport)
	v1.GET("/imports", staff, h.ListImports)
	v1.GET("/imports/:id", staff, h.GetImport)
	v1.GET("/imports/templates/:file", staff, h.ImportTemplate) // {kind}.csv or .xlsx, headers in ?lang=

	v1.GET("/audit", auditor, h.ListAudit)
	// Issue 11: payment reminders (docs/reminders.md).
	v1.GET("/reminders", staff, h.ListReminders)
	v1.POST("/reminders/run", admin, h.RunReminders)
	v1.GET("/reminders/:id/message", staff, h.ReminderMessage)              // the e-mail, to send by hand
	v1.POST("/reminders/:id/sent-by-hand", staff, h.MarkReminderSentByHand) // admin and staff
}

// uploadRoutes are the routes whose bodies carry a document: they are bounded
// by the document limit (plus multipartSlack for the form around the file)
// instead of MaxBodyBytes.
var uploadRoutes = []string{"POST /api/v1/pledges/:id/documents", "POST /api/v1/contributions/:id/documents"}

// importRoutes carry a spreadsheet: bounded by the import limit (plus multipartSlack).
var importRoutes = []string{"POST /api/v1/imports"}

// largerBodies are the routes bounded by a limit of their own, not MaxBodyBytes.
func largerBodies(cfg Config) map[string]int64 {
	out := map[string]int64{}
	for _, r := range uploadRoutes {
		out[r] = cfg.DocumentMaxBytes + multipartSlack
	}
	for _, r := range importRoutes {
		out[r] = cfg.ImportMaxBytes + multipartSlack
	}
	return out
}

// multipartSlack is room for the multipart framing, kind and note around the file.
const multipartSlack = 1 << 20

// NewServer returns an http.Server with timeouts set, so that slow or stuck
// clients cannot hold connections forever.
func NewServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           headAsGet(h),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      10 * time.Minute, // whole-ledger CSV exports stream for a while
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn),
	}
}
