package models

import (
	"encoding/json"
	"regexp"
	"strconv"
	"testing"

	"github.com/shopspring/decimal"
)

// FuzzAmount: DecimalInput.Amount never panics; an accepted amount is exactly
// the decimal written, > 0, below 10^15, with no more decimals than the
// currency allows, and survives the trip to minor units and back.
// Seeds: testdata/fuzz/FuzzAmount. Run: go test -fuzz '^FuzzAmount$' ./models/
func FuzzAmount(f *testing.F) {
	digits := regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)
	f.Fuzz(func(t *testing.T, raw, currency string) {
		code, ok := ParseCurrency(currency)
		if !ok {
			code = ""
		}
		// The same text as a JSON string and, when it is one, as a JSON number.
		inputs := []DecimalInput{{Raw: raw, Set: true}}
		var fromJSON DecimalInput
		if b, err := json.Marshal(raw); err == nil && json.Unmarshal(b, &fromJSON) == nil {
			inputs = append(inputs, fromJSON)
		}
		var asNumber DecimalInput
		if json.Valid([]byte(raw)) && json.Unmarshal([]byte(raw), &asNumber) == nil && !asNumber.Wrong && asNumber.Set {
			inputs = append(inputs, asNumber)
		}
		for _, in := range inputs {
			p := Problems{}
			v := in.Amount("amount", code, p)
			if p["amount"] != "" {
				if !v.IsZero() || len(p) != 1 {
					t.Fatalf("%q refused (%v) but answered %s", in.Raw, p, v)
				}
				continue
			}
			if len(p) != 0 {
				t.Fatalf("%q: problems on other fields %v", in.Raw, p)
			}
			want, err := decimal.NewFromString(in.Raw)
			switch {
			case err != nil || !digits.MatchString(in.Raw) || !want.Equal(v):
				t.Fatalf("%q accepted as %s: not the plain decimal written", in.Raw, v)
			case !v.IsPositive() || v.Cmp(MaxAmount) >= 0:
				t.Fatalf("%q accepted as %s: out of bounds", in.Raw, v)
			}
			if code == "" {
				continue
			}
			places := MinorUnits(code)
			if !v.Equal(v.Round(places)) {
				t.Fatalf("%q accepted in %s with more than %d decimals", in.Raw, code, places)
			}
			m := NewMoney(v, code)
			back, err := decimal.NewFromString(m.String())
			if err != nil || !back.Equal(v) || !FromMinor(ToMinor(v, places), places).Equal(v) {
				t.Fatalf("%q in %s does not round-trip: %s, minor %d", in.Raw, code, m, ToMinor(v, places))
			}
			var js string
			if b, _ := m.MarshalJSON(); json.Unmarshal(b, &js) != nil || js != m.String() {
				t.Fatalf("%q marshals to %s", in.Raw, js)
			}
		}
	})
}

// FuzzDate: ParseDate accepts exactly the real calendar dates written
// YYYY-MM-DD (years from 1900), checked against an independent calendar.
// Seeds: testdata/fuzz/FuzzDate. Run: go test -fuzz '^FuzzDate$' ./models/
func FuzzDate(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseDate(s)
		want := realDate(s)
		if ok != want || (ok && string(d) != s) {
			t.Fatalf("ParseDate(%q) = %q, %v; want accepted %v", s, d, ok, want)
		}
		var in DateInput
		b, _ := json.Marshal(s)
		if err := json.Unmarshal(b, &in); err != nil {
			t.Fatal(err)
		}
		p := Problems{}
		if got := in.Required("on", p); (got != "") != want || (p["on"] != "") == want {
			t.Fatalf("DateInput %q: %q, problems %v; want accepted %v", s, got, p, want)
		}
	})
}

// realDate is the oracle: ten characters, digits and dashes in place, a month
// 1-12 and a day within that month (Gregorian leap years), year >= 1900.
func realDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	num := func(part string) int {
		for _, c := range []byte(part) {
			if c < '0' || c > '9' {
				return -1
			}
		}
		n, _ := strconv.Atoi(part)
		return n
	}
	y, m, d := num(s[:4]), num(s[5:7]), num(s[8:])
	if y < 1900 || m < 1 || m > 12 || d < 1 {
		return false
	}
	days := []int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1]
	if m == 2 && (y%4 == 0 && y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}
