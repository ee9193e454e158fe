package models

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestToUSDRoundsHalfAwayFromZero(t *testing.T) {
	cases := []struct{ amount, rate, want string }{
		{"100", "0.9", "111.11"},       // 111.111...
		{"0.05", "10", "0.01"},         // 0.005 exactly: half goes up
		{"0.04", "10", "0.00"},         // 0.004
		{"1", "3", "0.33"},             // 0.333...
		{"2", "3", "0.67"},             // 0.666...
		{"1500000", "150", "10000.00"}, // JPY
		{"1.005", "1", "1.01"},         // KWD-style 3 decimals at rate 1
		{"999999999999999.99", "0.0000000001", "9999999999999999900000000.00"},
	}
	for _, c := range cases {
		got := ToUSD(decimal.RequireFromString(c.amount), decimal.RequireFromString(c.rate)).StringFixed(2)
		if got != c.want {
			t.Errorf("%s / %s = %s, want %s", c.amount, c.rate, got, c.want)
		}
	}
}

func TestAmountValidation(t *testing.T) {
	valid := []struct{ raw, cur, want string }{
		{"1250.50", "EUR", "1250.5"}, {"1250", "JPY", "1250"}, {"1.005", "KWD", "1.005"}, {"0.01", "USD", "0.01"},
		{"999999999999999.99", "USD", "999999999999999.99"}, {"007.50", "EUR", "7.5"}, {"1.2345", "CLF", "1.2345"},
		{"1.000", "KWD", "1"}, {"1.50", "EUR", "1.5"}, {"5", "JPY", "5"}, {"1000.0", "EUR", "1000"},
	}
	for _, v := range valid {
		p := Problems{}
		got := DecimalInput{Raw: v.raw, Set: true}.Amount("amount", v.cur, p)
		if len(p) != 0 || got.String() != v.want {
			t.Errorf("%s %s: got %s, problems %v", v.raw, v.cur, got, p)
		}
	}
	invalid := []struct{ raw, cur string }{
		{"10.10", "JPY"}, {"1.001", "EUR"}, {"1.0001", "KWD"}, {"10.10", "JPY"}, {"0", "EUR"}, {"0.00", "EUR"}, {"-1", "EUR"},
		{"1000000000000000", "USD"}, {"1e3", "USD"}, {"+1", "USD"}, {" 1", "USD"}, {"1,000", "USD"}, {".5", "USD"},
		{"5.", "USD"}, {"", "USD"},
		// Decimals are counted as written, trailing zeros included (issue 14).
		{"1.000", "EUR"}, {"5.0", "JPY"}, {"1.0000", "KWD"}, {"250.000", "USD"}, {"1.00000", "CLF"}, {"NaN", "USD"}, {"Infinity", "USD"}, {"0x10", "USD"}, {"١٠", "USD"},
	}
	for _, v := range invalid {
		p := Problems{}
		DecimalInput{Raw: v.raw, Set: true}.Amount("amount", v.cur, p)
		if p["amount"] == "" {
			t.Errorf("%q %s was accepted", v.raw, v.cur)
		}
	}
	p := Problems{}
	DecimalInput{Set: true, Wrong: true}.Amount("amount", "USD", p)
	DecimalInput{}.Amount("missing", "USD", p)
	if p["amount"] == "" || p["missing"] != "is required" {
		t.Errorf("wrong type or missing: %v", p)
	}
}

func TestCurrenciesAndMinorUnits(t *testing.T) {
	for code, units := range map[string]int32{"EUR": 2, "USD": 2, "JPY": 0, "KWD": 3, "BHD": 3, "XOF": 0, "CLF": 4, "IQD": 3, "IDR": 2, "MAD": 2, "CHF": 2, "VES": 2} {
		c, ok := ParseCurrency(code)
		if !ok || MinorUnits(c) != units {
			t.Errorf("%s: known %v, minor units %d, want %d", code, ok, MinorUnits(c), units)
		}
	}
	if c, ok := ParseCurrency("eur"); !ok || c != "EUR" {
		t.Errorf("eur: %q %v", c, ok)
	}
	for _, code := range []string{"XYZ", "XXX", "XTS", "XAU", "DEM", "EU", "EURO", ""} {
		if _, ok := ParseCurrency(code); ok {
			t.Errorf("%q was accepted as a currency", code)
		}
	}
}

func TestDatesAndCountries(t *testing.T) {
	for _, d := range []string{"2024-07-29", "2024-02-29", "2000-01-01"} {
		if _, ok := ParseDate(d); !ok {
			t.Errorf("%s refused", d)
		}
	}
	for _, d := range []string{"2023-02-29", "2024-13-01", "2024-7-29", "29/07/2024", "2024-07-29T00:00:00Z", "", "1899-12-31"} {
		if _, ok := ParseDate(d); ok {
			t.Errorf("%q accepted", d)
		}
	}
	for in, want := range map[string]string{"MA": "MA", "ma": "MA", "CH": "CH", "": ""} {
		p := Problems{}
		if got := CountryCode("c", in, p); got != want || len(p) > 0 {
			t.Errorf("%q: %q %v", in, got, p)
		}
	}
	for _, in := range []string{"ZZ", "EU", "UK", "419", "MAR", "XX"} {
		p := Problems{}
		if CountryCode("c", in, p); p["c"] == "" {
			t.Errorf("%q accepted as a country", in)
		}
	}
}

func TestPledgeDeriveStatus(t *testing.T) {
	d := func(s string) decimal.Decimal { return decimal.RequireFromString(s) }
	cases := []struct {
		paid, due string
		cancelled bool
		want      string
	}{
		{"0", "", false, StatusOpen}, {"10", "", false, StatusPartiallyPaid}, {"100", "", false, StatusFulfilled},
		{"10", "2024-01-01", false, StatusOverdue}, {"0", "2024-01-01", false, StatusOverdue},
		{"100", "2024-01-01", false, StatusFulfilled}, {"10", "2024-01-01", true, StatusCancelled},
		{"0", "2099-01-01", false, StatusOpen},
	}
	for _, c := range cases {
		p := Pledge{Currency: "EUR", Amount: Money{d("100"), 2}, Paid: Money{d(c.paid), 2}, ExchangeRate: Rate{d("0.9")},
			DueOn: Date(c.due), Cancelled: c.cancelled}
		p.Derive("2024-06-01")
		if p.Status != c.want {
			t.Errorf("paid %s due %q cancelled %v: %s, want %s", c.paid, c.due, c.cancelled, p.Status, c.want)
		}
	}
}
