package models

import (
	"errors"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// The decisions of the ledger's writes, without a database.

var decideNow = time.Date(2025, 7, 29, 10, 0, 0, 0, time.UTC)

func str(s string) *string { return &s }

func dec(s string) DecimalInput { return DecimalInput{Raw: s, Set: true} }

func problemFields(t *testing.T, err error) []string {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != EINVALID {
		t.Fatalf("want a validation error, got %v", err)
	}
	var out []string
	for f := range e.Fields {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

func contributionLoad() ContributionLoad {
	eur := Rate{decimal.RequireFromString("0.9")}
	return ContributionLoad{RecordLoad: RecordLoad{Today: DateOf(decideNow), Now: decideNow, By: "staff@example.org",
		Parties: Parties{FundCode: str("resilience"), DonorName: str("Kingdom of Morocco")}, Rate: &eur}}
}

func payment(amount, currency string) ContributionInput {
	return ContributionInput{FundID: 1, DonorID: 2, Amount: dec(amount), Currency: currency,
		ReceivedOn: DateInput{Raw: "2025-07-29", Set: true}}
}

func TestDecideContributionNamesEveryProblemAtOnce(t *testing.T) {
	ld := contributionLoad()
	ld.Parties.FundCode = nil // the fund id names nothing
	ld.Rate = nil             // and no rate is in force
	in := payment("10.00", "EUR")
	in.Earmarking = "sort of"
	_, err := DecideContribution(in, ld)
	if got, want := problemFields(t, err), []string{"earmarking", "exchange_rate", "fund_id"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("fields %v, want %v in one answer", got, want)
	}
}

func TestDecideContributionZeroUSD(t *testing.T) {
	in := payment("0.01", "EUR")
	in.ExchangeRate = dec("3") // 0.01 EUR is 0.0033 USD: 0.00
	_, err := DecideContribution(in, contributionLoad())
	if got := problemFields(t, err); !reflect.DeepEqual(got, []string{"amount"}) {
		t.Fatalf("fields %v, want amount", got)
	}
	in.ExchangeRate = dec("2") // 0.005 USD rounds half away from zero to 0.01
	if _, err := DecideContribution(in, contributionLoad()); err != nil {
		t.Fatalf("0.01 USD refused: %v", err)
	}
}

func TestDecideContributionKeepsTotalsBelow10e15(t *testing.T) {
	cases := []struct {
		name   string
		totals CurrentTotals
		ok     bool
	}{
		{"fund paid at the bound", CurrentTotals{Funds: map[int64]FundTotal{1: {Paid: 1e17 - 1000}}}, false},
		{"fund pledged (paid + outstanding) at the bound", CurrentTotals{Funds: map[int64]FundTotal{1: {Paid: 5e16, Outstanding: 5e16 - 1000}}}, false},
		{"donor at the bound", CurrentTotals{Donors: map[FundDonor]FundTotal{{1, 2}: {Paid: 1e17 - 1000}}}, false},
		{"currency USD total at the bound", CurrentTotals{Currencies: map[FundCurrency]CurrencyTotal{{1, "EUR"}: {PaidCents: 1e17 - 1000}}}, false},
		{"currency units at the bound", CurrentTotals{Currencies: map[FundCurrency]CurrencyTotal{{1, "EUR"}: {PaidMinor: 1e17 - 1000}}}, false},
		{"just below", CurrentTotals{Funds: map[int64]FundTotal{1: {Paid: 1e17 - 1112}}}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ld := contributionLoad()
			ld.Totals = tc.totals
			_, err := DecideContribution(payment("10.00", "EUR"), ld) // 11.11 USD
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if got := problemFields(t, err); !reflect.DeepEqual(got, []string{"amount"}) {
				t.Fatalf("fields %v, want amount", got)
			}
		})
	}
}

func pledgeState(amount string) *PledgeState {
	pl := Pledge{ID: 7, FundID: 1, DonorID: 2, Amount: NewMoney(decimal.RequireFromString(amount), "EUR"), Currency: "EUR",
		ExchangeRate: Rate{decimal.RequireFromString("0.9")}, Paid: NewMoney(decimal.Zero, "EUR"), PledgedOn: "2025-07-01",
		Stage: "pledge", Earmarking: "unearmarked"}
	pl.AmountUSD = USD(ToUSD(pl.Amount.Amount, pl.ExchangeRate.Decimal))
	pl.Derive("2025-07-29")
	return &PledgeState{Pledge: pl}
}

func TestDecidePaymentThenVoidUndoesEveryEffect(t *testing.T) {
	ld := contributionLoad()
	ld.Pledge = pledgeState("1000.00")
	in := payment("400.00", "EUR")
	in.PledgeID = &ld.Pledge.Pledge.ID
	paid, err := DecideContribution(in, ld)
	if err != nil {
		t.Fatal(err)
	}
	if got := paid.Pledge.Pledge.Outstanding.String(); got != "600.00" {
		t.Fatalf("outstanding after the payment %s", got)
	}
	// Paid goes up by 444.44 USD and outstanding down by 1111.11 - 666.67.
	if f := paid.Effects.Funds[1]; f.Paid != 44444 || f.Outstanding != -44444 || f.Count != 1 {
		t.Fatalf("fund effects %+v", f)
	}
	c := paid.Contribution
	c.ID = 99
	paid.Pledge.Payments[len(paid.Pledge.Payments)-1].ContributionID = 99
	// Voided the same day: every figure is back where it was.
	void, err := DecideVoid(c, paid.Pledge, "entered twice", decideNow, "staff@example.org")
	if err != nil {
		t.Fatal(err)
	}
	var sum Effects
	sum.Add(paid.Effects)
	sum.Add(void.Effects)
	if !sum.IsZero() {
		t.Fatalf("payment + void on the same day should cancel out, left %+v", sum)
	}
	if _, err := DecideVoid(void.Contribution, void.Pledge, "again", decideNow, "x"); ErrorCode(err) != ECONFLICT {
		t.Fatalf("voiding twice: %v", err)
	}
}

func TestDecideCancelPledge(t *testing.T) {
	st := pledgeState("1000.00")
	w, err := DecideCancelPledge(st, "withdrawn", decideNow, "staff@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if f := w.Effects.Funds[1]; f.Outstanding != -111111 {
		t.Fatalf("fund outstanding change %d, want -111111", f.Outstanding)
	}
	if d := w.Effects.Donors[FundDonor{1, 2}]; d.Live != -1 {
		t.Fatalf("donor live change %d, want -1", d.Live)
	}
	if _, err := DecideCancelPledge(w.Pledge, "again", decideNow, "x"); ErrorCode(err) != ECONFLICT {
		t.Fatalf("cancelling twice: %v", err)
	}
}

func TestDecidePledgePatch(t *testing.T) {
	before := pledgeState("1000.00")
	same := "pledge"
	if _, changed, err := DecidePledgePatch(before, PledgePatch{Stage: &same}, decideNow, "2025-07-29", CurrentTotals{}, ""); err != nil || changed {
		t.Fatalf("a patch to the same stage changed=%v err=%v", changed, err)
	}
	other := "commitment"
	w, changed, err := DecidePledgePatch(before, PledgePatch{Stage: &other}, decideNow, "2025-07-29", CurrentTotals{}, "")
	if err != nil || !changed || w.Pledge.Pledge.Stage != "commitment" || !w.Pledge.Pledge.UpdatedAt.Equal(decideNow) {
		t.Fatalf("patch: %+v changed=%v err=%v", w.Pledge, changed, err)
	}
	if len(w.Effects.Funds) != 0 || len(w.Effects.Donors) != 0 || len(w.Effects.Currencies) != 0 {
		t.Fatalf("a patch that leaves the amount moved the totals: %+v", w.Effects)
	}
	// Issue 14: a new amount moves the outstanding totals by exactly the difference.
	before.Pledge.Paid = NewMoney(decimal.RequireFromString("200"), before.Pledge.Currency)
	before.Pledge.Derive("2025-07-29")
	minor0, cents0 := before.Outstanding()
	w, changed, err = DecidePledgePatch(before, PledgePatch{Amount: DecimalInput{Raw: "1500.00", Set: true}}, decideNow, "2025-07-29", CurrentTotals{}, "")
	if err != nil || !changed || w.Pledge.Pledge.Amount.String() != "1500.00" {
		t.Fatalf("amount patch: %+v changed=%v err=%v", w.Pledge, changed, err)
	}
	minor1, cents1 := w.Pledge.Outstanding()
	f := w.Effects.Funds[before.Pledge.FundID]
	c := w.Effects.Currencies[FundCurrency{before.Pledge.FundID, before.Pledge.Currency}]
	if minor1-minor0 != 50000 || f.Outstanding != cents1-cents0 || c.OutstandingMinor != 50000 || c.OutstandingCents != cents1-cents0 {
		t.Fatalf("effects of 1000 -> 1500: fund %+v currency %+v (outstanding %d -> %d cents)", f, c, cents0, cents1)
	}
	if _, _, err := DecidePledgePatch(before, PledgePatch{Amount: DecimalInput{Raw: "100.00", Set: true}}, decideNow, "2025-07-29", CurrentTotals{}, ""); ErrorCode(err) != EINVALID {
		t.Fatalf("an amount below what is paid: %v", err)
	}
}

func TestEffectsSumByRow(t *testing.T) {
	var a, b Effects
	a.Fund(1, FundDelta{Paid: 5, Count: 1})
	a.Day(1, "2025-07-29", DayDelta{Paid: 5})
	b.Fund(1, FundDelta{Paid: 7, Count: 1})
	b.Fund(2, FundDelta{Paid: 1})
	b.Day(1, "2025-07-29", DayDelta{Paid: -5})
	a.Add(b)
	if len(a.Funds) != 2 || a.Funds[1] != (FundDelta{Paid: 12, Count: 2}) {
		t.Fatalf("funds %+v", a.Funds)
	}
	if len(a.FundDays) != 0 {
		t.Fatalf("a row that nets to nothing is not written: %+v", a.FundDays)
	}
}
