package api

import (
	"crypto/subtle"
	"database/sql"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fundtracker/fundtracker/handlers"
	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type metrics struct {
	token    string // the bearer token /metrics asks for ("" = off)
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// newMetrics registers the HTTP figures, Go's and the process's, and each
// database pool's (client_golang's go_sql_* collector, labelled db_name).
func newMetrics(dbs map[string]*sql.DB) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fundtracker_http_requests_total",
			Help: "HTTP requests by route, method and status."}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "fundtracker_http_request_duration_seconds",
			Help: "HTTP request latency by route.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)}, []string{"route", "method"}),
	}
	m.reg.MustRegister(m.requests, m.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for name, db := range dbs {
		m.reg.MustRegister(collectors.NewDBStatsCollector(db, name))
	}
	return m
}

func (m *metrics) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	method := methodLabel(c.Request.Method)
	m.requests.WithLabelValues(route, method, strconv.Itoa(c.Writer.Status())).Inc()
	m.latency.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
}

// methodLabel keeps the label set bounded: a client may send any method name.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// handler answers /metrics to a scraper that sends the metrics token, and to
// no one when none is set: route names, counts and pool figures are not public.
func (m *metrics) handler() gin.HandlerFunc {
	prom := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return func(c *gin.Context) {
		if m.token == "" {
			handlers.Error(c, models.Errorf(models.ENOTFOUND, "Metrics are off: set FUNDTRACKER_METRICS_TOKEN to scrape them with that bearer token."))
			return
		}
		scheme, token, _ := strings.Cut(c.GetHeader("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(m.token)) != 1 {
			c.Header("WWW-Authenticate", `Bearer realm="metrics"`)
			handlers.Error(c, models.Errorf(models.EUNAUTHORIZED, "/metrics needs the metrics bearer token (FUNDTRACKER_METRICS_TOKEN)."))
			return
		}
		prom.ServeHTTP(c.Writer, c.Request)
	}
}
