// Package models holds fundtracker's domain: its types, the rules they obey and
// the error codes every layer speaks. It imports no HTTP and no database code.
package models

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error codes, defined once here and mapped to HTTP statuses in one table in api.
const (
	EINVALIDJSON  = "invalid_json"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EINVALID      = "validation_failed"
	ERATELIMITED  = "rate_limited"
	ETOOLARGE     = "payload_too_large"
	// EMETHOD is a known path asked with a method it does not answer.
	EMETHOD = "method_not_allowed"
	// EUNAVAILABLE is a request that failed because the database dropped its
	// connection, and may be sent again (after RetryAfter seconds).
	EUNAVAILABLE = "unavailable"
	// EUNSUPPORTED: an upload whose content (sniffed, not as declared) is not an accepted type.
	EUNSUPPORTED = "unsupported_media_type"
	EINTERNAL    = "internal"
)

// Error is an error a user may see: a code, a message and, when fields are at
// fault, one problem per field.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
	// RetryAfter, for rate_limited and unavailable, is how many seconds to wait.
	RetryAfter int
	// ExistingID, for a conflict with an existing record (a duplicate
	// donor), is that record's id.
	ExistingID int64
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("fundtracker error: code=%s message=%s", e.Code, e.Message)
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return fmt.Sprintf("fundtracker error: code=%s message=%s fields=[%s]", e.Code, e.Message, strings.Join(parts, "; "))
}

// Errorf is a helper that returns an *Error with the given code and message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns a validation error for a single field.
func FieldError(field, problem string) *Error {
	return &Error{Code: EINVALID, Message: field + ": " + problem, Fields: map[string]string{field: problem}}
}

// ErrorCode returns the code of an application error, or EINTERNAL for any other error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of an application error, or a generic one.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// Problems collects validation problems, one per field, the first one winning.
type Problems map[string]string

// Add records a problem for a field unless one is already recorded.
func (p Problems) Add(field, problem string) {
	if _, ok := p[field]; !ok {
		p[field] = problem
	}
}

// Err returns a validation_failed *Error naming every field at fault, or nil.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	msg := "Invalid " + strings.Join(keys, ", ") + ": " + p[keys[0]]
	if len(keys) > 1 {
		msg = "Invalid fields " + strings.Join(keys, ", ") + "."
	}
	return &Error{Code: EINVALID, Message: msg, Fields: map[string]string(p)}
}
