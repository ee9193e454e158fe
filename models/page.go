package models

import (
	"encoding/base64"
	"strconv"
	"strings"
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
	// AfterKey, with After, is the sort key (a date) of the last item of the
	// previous page, for lists sorted by a date then id (issue 14).
	AfterKey string
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
			req.AfterKey, req.After = DecodeKeyCursor(cursor)
		}
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
	return cutPage(items, limit, func(last T) *string { return EncodeCursor(pos(last)) })
}

// cutPage keeps the first limit items; when there were more, Next is the
// cursor of the last one kept.
func cutPage[T any](items []T, limit int, cursor func(last T) *string) Page[T] {
	if items == nil {
		items = []T{}
	}
	if len(items) <= limit {
		return Page[T]{Items: items}
	}
	items = items[:limit]
	return Page[T]{Items: items, Next: cursor(items[len(items)-1])}
}

// EncodeKeyCursor makes an opaque cursor from a sort key (a date) and an id,
// for lists sorted by that key then id, newest first.
func EncodeKeyCursor(key string, id int64) *string {
	s := base64.RawURLEncoding.EncodeToString([]byte("k" + key + "|" + strconv.FormatInt(id, 10)))
	return &s
}

// DecodeKeyCursor reads a cursor EncodeKeyCursor made; id is 0 for anything else.
func DecodeKeyCursor(s string) (key string, id int64) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 3 || b[0] != 'k' {
		return "", 0
	}
	k, n, ok := strings.Cut(string(b[1:]), "|")
	if !ok {
		return "", 0
	}
	if _, valid := ParseDate(k); !valid {
		return "", 0
	}
	id, err = strconv.ParseInt(n, 10, 64)
	if err != nil || id <= 0 {
		return "", 0
	}
	return k, id
}

// NewKeyedPage cuts a list sorted by a key then id (fetched with one extra
// item) into a page whose Next cursor carries both.
func NewKeyedPage[T any](items []T, limit int, pos func(T) (string, int64)) Page[T] {
	return cutPage(items, limit, func(last T) *string { return EncodeKeyCursor(pos(last)) })
}

// ListTotals sums a filtered list as a whole, not a page (issue 14):
// voided contributions and cancelled pledges are left out.
type ListTotals struct {
	Count      int64            `json:"count"`
	AmountUSD  Money            `json:"amount_usd"`
	ByCurrency []CurrencyAmount `json:"by_currency"`
}

// CurrencyAmount is a sum in one currency.
type CurrencyAmount struct {
	Currency string `json:"currency"`
	Amount   Money  `json:"amount"`
}

// TotalledPage is a page with, when asked for (?totals=1), the totals of
// the whole filtered list.
type TotalledPage[T any] struct {
	Page[T]
	Totals *ListTotals `json:"totals,omitempty"`
}
