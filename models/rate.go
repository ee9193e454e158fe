package models

import "github.com/shopspring/decimal"

// Rate is an exchange rate in units of a currency per 1 USD. It marshals to a
// JSON decimal string with no trailing zeros.
type Rate struct{ decimal.Decimal }

// One is the rate of USD itself.
var One = Rate{decimal.New(1, 0)}

// MarshalJSON writes the rate as a decimal string.
func (r Rate) MarshalJSON() ([]byte, error) { return []byte(`"` + r.String() + `"`), nil }

// ParseRate reads a rate as stored.
func ParseRate(s string) (Rate, error) {
	d, err := decimal.NewFromString(s)
	return Rate{d}, err
}
