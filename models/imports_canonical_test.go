package models

import (
	"testing"

	"github.com/shopspring/decimal"
)

// canonicalPlain's fast path answers what the slow path does.
func TestCanonicalDecimalFastPath(t *testing.T) {
	slow := func(s string) string {
		if v, err := decimal.NewFromString(s); err == nil && plainDecimal.MatchString(s) {
			return v.String()
		}
		return s
	}
	for _, s := range []string{"", "0", "00", "0.5", "0.50", "00.5", "10", "10.00", "10.5", "10.05", "1250.50", "1250.5", ".5", "5.",
		"-5", "+5", "1e3", "1,5", " 1", "1.2.3", "0.0", "0.000001", "123456789012345678901234567890", "1234567890123456789012345678901",
		"1.123456789012345678901234567891", "1.1234567890123456789012345678901", "٣", "12a", "007"} {
		if got, want := canonicalDecimal(s), slow(s); got != want {
			t.Errorf("canonicalDecimal(%q) = %q, want %q", s, got, want)
		}
	}
}
