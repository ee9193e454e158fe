package api

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/fundtracker/fundtracker/handlers"
	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
)

// requestID gives every request an id (the client's X-Request-ID when it is
// sane), echoed in the response and written in every log line.
func requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if id == "" || len(id) > 64 {
		b := make([]byte, 8)
		rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Set(handlers.RequestIDKey, id)
	c.Header("X-Request-ID", id)
	c.Next()
}

// accessLog writes one structured line per request.
func accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	actor := ""
	if u, ok := c.Get("user"); ok {
		actor = u.(models.User).Email
	}
	slog.LogAttrs(c.Request.Context(), slog.LevelInfo, "request",
		slog.String("request_id", c.GetString(handlers.RequestIDKey)),
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.Int("status", c.Writer.Status()),
		slog.Duration("duration", time.Since(start)),
		slog.Int("bytes", c.Writer.Size()),
		slog.String("actor", actor),
		slog.String("ip", c.ClientIP()),
	)
}

// recovery answers 500 internal (logged in full, never shown) when a handler panics.
func recovery(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			handlers.Error(c, fmt.Errorf("panic: %v", r))
		}
	}()
	c.Next()
}

// ContentSecurityPolicy allows nothing from outside the server.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

func securityHeaders(c *gin.Context) {
	hd := c.Writer.Header()
	hd.Set("Content-Security-Policy", ContentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	if c.Request.TLS != nil {
		hd.Set("Strict-Transport-Security", "max-age=31536000")
	}
	c.Next()
}

// limitBody bounds request bodies; a larger body is 413. The routes in
// larger (METHOD and gin path) are bounded by their own limit instead.
func limitBody(max int64, larger map[string]int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		max := max
		if m, ok := larger[c.Request.Method+" "+c.FullPath()]; ok {
			max = m
		}
		if c.Request.ContentLength > max {
			handlers.Error(c, models.Errorf(models.ETOOLARGE, "The request body is larger than %d bytes.", max))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, max)
		c.Next()
	}
}
