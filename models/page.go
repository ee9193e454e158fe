package models

import (
	"encoding/base64"
	"strconv"
)

// Paging bounds.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// PageRequest asks for the page after a cursor (newest first).
type PageRequest struct {
	Limit int
	After int64 // 0: from the start
}

// ParsePage reads ?limit= and ?cursor=. A limit above MaxLimit is lowered to it.
func ParsePage(limit, cursor string) (PageRequest, error) {
	p := Problems{}
	req := PageRequest{Limit: DefaultLimit}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		switch {
		case err != nil || n < 1:
			p.Add("limit", "must be a whole number from 1 to 1000")
		case n > MaxLimit:
			req.Limit = MaxLimit
		default:
			req.Limit = n
		}
	}
	if cursor != "" {
		req.After = DecodeCursor(cursor)
		if req.After <= 0 {
			p.Add("cursor", "is not a cursor this API gave")
		}
	}
	return req, p.Err()
}

// EncodeCursor makes an opaque cursor from a position.
func EncodeCursor(pos int64) *string {
	s := base64.RawURLEncoding.EncodeToString([]byte("c" + strconv.FormatInt(pos, 10)))
	return &s
}

// DecodeCursor reads a cursor; it returns 0 for anything EncodeCursor did not make.
func DecodeCursor(s string) int64 {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 2 || b[0] != 'c' {
		return 0
	}
	n, err := strconv.ParseInt(string(b[1:]), 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

// NewPage cuts a list fetched with one extra item into a page: when there is
// more, Next points after the last item kept.
func NewPage[T any](items []T, limit int, pos func(T) int64) Page[T] {
	if items == nil {
		items = []T{}
	}
	if len(items) <= limit {
		return Page[T]{Items: items}
	}
	items = items[:limit]
	return Page[T]{Items: items, Next: EncodeCursor(pos(items[len(items)-1]))}
}
