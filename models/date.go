package models

import (
	"bytes"
	"encoding/json"
	"regexp"
	"time"
)

// DateLayout is the layout of every date in the API and the database.
const DateLayout = "2006-01-02"

var dateShape = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// Date is a calendar date, written YYYY-MM-DD. The zero Date means no date.
type Date string

// ParseDate checks that s is a real calendar date written YYYY-MM-DD.
func ParseDate(s string) (Date, bool) {
	if !dateShape.MatchString(s) {
		return "", false
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil || t.Year() < 1900 {
		return "", false
	}
	return Date(s), true
}

// Today is the current date in UTC.
func Today() Date { return DateOf(time.Now()) }

// DateOf returns the UTC calendar date of a moment.
func DateOf(t time.Time) Date { return Date(t.UTC().Format(DateLayout)) }

// IsZero reports whether no date is set.
func (d Date) IsZero() bool { return d == "" }

// MarshalJSON writes the date as a string, or null when none is set.
func (d Date) MarshalJSON() ([]byte, error) {
	if d == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(d))
}

// DateInput is a date read from JSON, kept as written until validated.
type DateInput struct {
	Raw   string
	Set   bool
	Wrong bool
	Null  bool // sent as null: on a PATCH, an optional date is cleared
}

// UnmarshalJSON accepts a string or null; any other type is kept as wrong.
func (d *DateInput) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*d = DateInput{Null: true}
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*d = DateInput{Raw: s, Set: true}
	default:
		*d = DateInput{Set: true, Wrong: true}
	}
	return nil
}

// MarshalJSON writes the date as given (used for request fingerprints).
func (d DateInput) MarshalJSON() ([]byte, error) {
	if !d.Set {
		return []byte("null"), nil
	}
	return json.Marshal(d.Raw)
}

// Given reports whether the body named the field, with a date or null.
func (d DateInput) Given() bool { return d.Set || d.Null }

// Required validates a date that must be present.
func (d DateInput) Required(field string, p Problems) Date {
	if !d.Set {
		p.Add(field, "is required")
		return ""
	}
	return d.Optional(field, p)
}

// Optional validates a date that may be absent (the zero Date).
func (d DateInput) Optional(field string, p Problems) Date {
	if !d.Set {
		return ""
	}
	if v, ok := ParseDate(d.Raw); ok && !d.Wrong {
		return v
	}
	p.Add(field, "must be a date written YYYY-MM-DD")
	return ""
}
