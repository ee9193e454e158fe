package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
)

// Each code of the error table has its status; unavailable and rate_limited
// carry Retry-After, even wrapped around the error that caused them.
func TestErrorStatusesAndRetryAfter(t *testing.T) {
	gin.SetMode(gin.TestMode)
	lost := errors.New("FATAL: terminating connection due to administrator command (SQLSTATE 57P01)")
	for _, c := range []struct {
		err        error
		status     int
		retryAfter string
	}{
		{fmt.Errorf("%w: %w", &models.Error{Code: models.EUNAVAILABLE, Message: "lost", RetryAfter: 1}, lost), http.StatusServiceUnavailable, "1"},
		{&models.Error{Code: models.ERATELIMITED, Message: "busy", RetryAfter: 5}, http.StatusTooManyRequests, "5"},
		{models.Errorf(models.EMETHOD, "no"), http.StatusMethodNotAllowed, ""},
		{lost, http.StatusInternalServerError, ""},
	} {
		rec := httptest.NewRecorder()
		c2, _ := gin.CreateTestContext(rec)
		c2.Request = httptest.NewRequest("GET", "/x", nil)
		Error(c2, c.err)
		if rec.Code != c.status || rec.Header().Get("Retry-After") != c.retryAfter {
			t.Errorf("%v: %d Retry-After %q, want %d %q", c.err, rec.Code, rec.Header().Get("Retry-After"), c.status, c.retryAfter)
		}
	}
}
