package models

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/text/currency"
)

// ReportingCurrency is the currency every total is reported in.
const ReportingCurrency = "USD"

// MaxAmount bounds every amount: amounts must be below 10^15.
var MaxAmount = decimal.New(1, 15)

// maxMinor is the largest count of minor units stored (int64).
var maxMinor = decimal.New(9_223_372_036_854_775_807, 0)

// maxRate bounds exchange rates (units of currency per 1 USD).
var maxRate = decimal.New(1, 12)

// maxRatePlaces is how many decimals an exchange rate may carry.
const maxRatePlaces = 10

// ISO 4217 minor units. CLDR's display digits (what golang.org/x/text reports)
// differ from ISO for some two dozen currencies (IQD, IDR, COP, ...), so the
// ISO exceptions to the default of 2 are listed here; x/text decides which codes exist.
var (
	minorZero  = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
	minorThree = "BHD IQD JOD KWD LYD OMR TND"
	minorFour  = "CLF UYW"
	// Codes introduced after the CLDR data that x/text ships.
	newerCodes = "MRU SLE STN VED VES ZWG"
)

var tender = sync.OnceValue(func() map[string]bool {
	set := map[string]bool{}
	for it := currency.Query(currency.Date(time.Now())); it.Next(); {
		set[it.Unit().String()] = true
	}
	for _, c := range strings.Fields(newerCodes + " " + minorFour) {
		set[c] = true
	}
	return set
})

// ParseCurrency normalises an ISO 4217 code and checks that it is a currency
// in use today.
func ParseCurrency(s string) (string, bool) {
	code := strings.ToUpper(strings.TrimSpace(s))
	if len(code) != 3 || !tender()[code] {
		return "", false
	}
	return code, true
}

// MinorUnits returns the number of decimals of a currency (ISO 4217).
func MinorUnits(code string) int32 {
	switch {
	case strings.Contains(minorZero, code):
		return 0
	case strings.Contains(minorThree, code):
		return 3
	case strings.Contains(minorFour, code):
		return 4
	}
	return 2
}

// Money is an exact amount with the number of decimals it is written with.
// It marshals to a JSON decimal string such as "250000.50".
type Money struct {
	Amount decimal.Decimal
	Places int32
}

// NewMoney returns an amount in the given currency.
func NewMoney(d decimal.Decimal, currencyCode string) Money {
	return Money{Amount: d, Places: MinorUnits(currencyCode)}
}

// USD returns an amount in US dollars.
func USD(d decimal.Decimal) Money { return Money{Amount: d, Places: 2} }

// USDCents returns an amount in US dollars from a number of cents.
func USDCents(cents int64) Money { return USD(decimal.New(cents, -2)) }

func (m Money) String() string { return m.Amount.StringFixed(m.Places) }

// MarshalJSON writes the amount as a decimal string.
func (m Money) MarshalJSON() ([]byte, error) { return []byte(`"` + m.String() + `"`), nil }

// USDValue converts an amount at a rate and checks that the USD value, like
// every amount, is below 10^15 (a tiny rate can make it huge); the problem is
// the amount's (issue 10: a write past 10^15 USD names amount), and the given
// rate's too when one was given.
func USDValue(amount, unitsPerUSD decimal.Decimal, rateGiven bool) (decimal.Decimal, error) {
	usd := ToUSD(amount, unitsPerUSD)
	if usd.Cmp(MaxAmount) < 0 {
		return usd, nil
	}
	problem := "makes a USD value of " + usd.StringFixed(2) + ": it must be below 10^15"
	err := FieldError("amount", problem)
	if rateGiven {
		err.Fields["exchange_rate"] = problem
	}
	return usd, err
}

// ToUSD converts an amount in a currency to USD at a rate in units per 1 USD,
// rounded half away from zero to the cent.
func ToUSD(amount, unitsPerUSD decimal.Decimal) decimal.Decimal {
	return amount.DivRound(unitsPerUSD, 2)
}

// Percent returns part/whole*100 to 2 decimals, "0.00" when whole is zero.
func Percent(part, whole decimal.Decimal) string {
	if whole.IsZero() {
		return "0.00"
	}
	return part.Mul(decimal.New(100, 0)).DivRound(whole, 2).StringFixed(2)
}

var plainDecimal = regexp.MustCompile(`^[0-9]{1,30}(\.[0-9]{1,30})?$`)

// DecimalInput is a decimal read from JSON, as a string ("12.50") or a number
// (12.50), kept as written so that validation can name the field at fault.
type DecimalInput struct {
	Raw   string
	Set   bool // the field was present and not null
	Wrong bool // the field was present with a type that is neither string nor number
}

// UnmarshalJSON accepts a string or a number without losing precision.
func (d *DecimalInput) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*d = DecimalInput{}
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*d = DecimalInput{Raw: s, Set: true}
	case len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')):
		*d = DecimalInput{Raw: string(b), Set: true}
	default:
		*d = DecimalInput{Set: true, Wrong: true}
	}
	return nil
}

// MarshalJSON writes the decimal as it was given (used for request fingerprints).
func (d DecimalInput) MarshalJSON() ([]byte, error) {
	if !d.Set {
		return []byte("null"), nil
	}
	return json.Marshal(d.Raw)
}

// parse checks the text is a plain decimal and returns it.
func (d DecimalInput) parse() (decimal.Decimal, string) {
	if d.Wrong {
		return decimal.Zero, "must be a decimal string such as \"1250.50\""
	}
	raw := d.Raw
	if strings.HasPrefix(raw, "-") {
		if plainDecimal.MatchString(raw[1:]) {
			return decimal.Zero, "must be greater than 0"
		}
	}
	if !plainDecimal.MatchString(raw) {
		return decimal.Zero, "must be a plain decimal such as \"1250.50\" (digits, an optional point, no sign, exponent or separators)"
	}
	v, err := decimal.NewFromString(raw)
	if err != nil {
		return decimal.Zero, "must be a plain decimal such as \"1250.50\""
	}
	return v, ""
}

// Amount validates a money amount in a currency: plain decimal, > 0, below
// 10^15, no more decimals than the currency's minor unit. currencyCode may be
// empty when the currency is itself invalid; the decimals are then not checked.
func (d DecimalInput) Amount(field, currencyCode string, p Problems) decimal.Decimal {
	if !d.Set {
		p.Add(field, "is required")
		return decimal.Zero
	}
	v, problem := d.parse()
	switch {
	case problem != "":
		p.Add(field, problem)
	case !v.IsPositive():
		p.Add(field, "must be greater than 0")
	case v.Cmp(MaxAmount) >= 0:
		p.Add(field, "must be below 1000000000000000 (10^15)")
	case currencyCode != "" && writtenPlaces(d.Raw) > MinorUnits(currencyCode):
		p.Add(field, placesProblem(currencyCode))
	case currencyCode != "" && v.Shift(MinorUnits(currencyCode)).Cmp(maxMinor) > 0:
		p.Add(field, "is too large for "+currencyCode)
	default:
		return v
	}
	return decimal.Zero
}

// Rate validates an exchange rate in units of currency per 1 USD.
func (d DecimalInput) Rate(field string, p Problems) decimal.Decimal {
	if !d.Set {
		p.Add(field, "is required")
		return decimal.Zero
	}
	v, problem := d.parse()
	switch {
	case problem != "":
		p.Add(field, problem)
	case !v.IsPositive():
		p.Add(field, "must be greater than 0")
	case v.Cmp(maxRate) >= 0:
		p.Add(field, "must be below 10^12 units per USD")
	case decimalPlaces(v) > maxRatePlaces:
		p.Add(field, "may have at most 10 decimals")
	default:
		return v
	}
	return decimal.Zero
}

func placesProblem(code string) string {
	switch n := MinorUnits(code); n {
	case 0:
		return "may have no decimals in " + code
	case 1:
		return "may have at most 1 decimal in " + code
	default:
		return "may have at most " + string(rune('0'+n)) + " decimals in " + code
	}
}

// writtenPlaces counts the decimals as written, trailing zeros included: an
// amount must not be written more precisely than its currency's minor unit
// ("1.000" EUR and "5.0" JPY are refused), so that no typing slip such as a
// thousands separator read as a decimal point is silently accepted.
func writtenPlaces(raw string) int32 {
	if i := strings.IndexByte(raw, '.'); i >= 0 {
		return int32(len(raw) - i - 1)
	}
	return 0
}

// decimalPlaces counts the significant decimals of v ("1.50" has 1).
func decimalPlaces(v decimal.Decimal) int32 {
	s := v.String() // canonical, trailing zeros removed
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return int32(len(s) - i - 1)
	}
	return 0
}

// ToMinor returns an amount as an integer count of the currency's minor unit.
func ToMinor(d decimal.Decimal, places int32) int64 { return d.Shift(places).IntPart() }

// FromMinor returns the decimal amount of a count of minor units.
func FromMinor(minor int64, places int32) decimal.Decimal { return decimal.New(minor, -places) }
