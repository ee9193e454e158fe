package models

import (
	"strconv"
	"strings"
	"time"
)

// DefaultStaleDays is how old a rate may be before the console warns (issue 14).
const DefaultStaleDays = 45

// Staleness says, per currency, after how many days a rate is stale.
type Staleness struct {
	Default     int
	PerCurrency map[string]int
}

// ParseStaleness reads FUNDTRACKER_RATE_STALE_DAYS: a number of days
// ("45"), optionally followed by per-currency ones ("45,EUR=30,MAD=60");
// empty means 45 for every currency.
func ParseStaleness(s string) (Staleness, error) {
	st := Staleness{Default: DefaultStaleDays, PerCurrency: map[string]int{}}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		code, days, per := strings.Cut(part, "=")
		if !per {
			days = code
		}
		n, err := strconv.Atoi(strings.TrimSpace(days))
		if err != nil || n < 1 {
			return Staleness{Default: DefaultStaleDays}, Errorf(EINVALID, "rate staleness %q: days must be a whole number above 0", part)
		}
		if !per {
			st.Default = n
			continue
		}
		c, ok := ParseCurrency(code)
		if !ok {
			return Staleness{Default: DefaultStaleDays}, Errorf(EINVALID, "rate staleness %q: unknown currency", part)
		}
		st.PerCurrency[c] = n
	}
	return st, nil
}

// Days is the threshold of a currency.
func (s Staleness) Days(currency string) int {
	if n, ok := s.PerCurrency[currency]; ok {
		return n
	}
	if s.Default > 0 {
		return s.Default
	}
	return DefaultStaleDays
}

// DaysBetween counts the days from a to b (negative when b is before a).
func DaysBetween(a, b Date) int {
	ta, err1 := time.Parse(DateLayout, string(a))
	tb, err2 := time.Parse(DateLayout, string(b))
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(tb.Sub(ta).Hours() / 24)
}

// MarkAge fills a quote's rate age and whether it is stale.
func (q *Quote) MarkAge(s Staleness) {
	q.StaleAfterDays = s.Days(q.Currency)
	if q.Currency == ReportingCurrency {
		return
	}
	q.RateAgeDays = DaysBetween(q.EffectiveOn, q.On)
	q.Stale = q.RateAgeDays > q.StaleAfterDays
}
