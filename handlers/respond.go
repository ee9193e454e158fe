// Package handlers turns HTTP requests into calls on the store: each handler
// decodes, validates, calls the store and responds, returning right after an
// error. Every JSON error goes through Error.
package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
)

// codes maps each application error code to its HTTP status.
var codes = map[string]int{
	models.EINVALIDJSON:  http.StatusBadRequest,
	models.EUNAUTHORIZED: http.StatusUnauthorized,
	models.EFORBIDDEN:    http.StatusForbidden,
	models.ENOTFOUND:     http.StatusNotFound,
	models.ECONFLICT:     http.StatusConflict,
	models.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	models.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	models.EINVALID:      http.StatusUnprocessableEntity,
	models.ERATELIMITED:  http.StatusTooManyRequests,
	models.EINTERNAL:     http.StatusInternalServerError,
	models.EMETHOD:       http.StatusMethodNotAllowed,
	models.EUNAVAILABLE:  http.StatusServiceUnavailable,
}

// StatusOf returns the HTTP status of an application error code.
func StatusOf(code string) int {
	if s, ok := codes[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	// ExistingID names the record a conflict is with (a duplicate donor).
	ExistingID *int64 `json:"existing_id,omitempty"`
}

// Error writes an error as JSON with its status and logs it. Internal errors
// are logged in full and answered with a generic message.
func Error(c *gin.Context, err error) {
	code := models.ErrorCode(err)
	status := StatusOf(code)
	body := errorBody{Error: errorDetail{Code: code, Message: models.ErrorMessage(err)}}
	var me *models.Error
	if errors.As(err, &me) {
		body.Error.Fields = me.Fields
		if me.ExistingID != 0 {
			body.Error.ExistingID = &me.ExistingID
		}
		if me.RetryAfter > 0 {
			c.Header("Retry-After", strconv.Itoa(me.RetryAfter))
		}
	}
	attrs := []any{"status", status, "code", code, "method", c.Request.Method, "path", c.FullPath(), "request_id", c.GetString(RequestIDKey)}
	if status >= 500 {
		slog.ErrorContext(c.Request.Context(), "request failed", append(attrs, "error", err.Error())...)
	} else {
		slog.InfoContext(c.Request.Context(), "request refused", append(attrs, "message", body.Error.Message)...)
	}
	c.Header("Cache-Control", "no-store")
	c.AbortWithStatusJSON(status, body)
}

// RequestIDKey is where the request id is kept in the gin context.
const RequestIDKey = "request_id"

// created answers 201 with v, or the stored answer of an idempotent replay.
func created(c *gin.Context, v any, replay *models.Replay) {
	if replay != nil {
		c.Header("Idempotent-Replayed", "true")
		c.Data(replay.Status, "application/json; charset=utf-8", replay.Body)
		return
	}
	c.JSON(http.StatusCreated, v)
}
