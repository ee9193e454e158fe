package models

import (
	"testing"
	"time"
)

func TestDecideMerge(t *testing.T) {
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	seven := int64(7)
	from, into, merged := Donor{ID: 1, Name: "Royaume du Maroc"}, Donor{ID: 2, Name: "Kingdom of Morocco"}, Donor{ID: 3, MergedInto: &seven}
	st := MergeState{From: from, Into: &into,
		FromFunds: []DonorFigures{{FundID: 10, DonorID: 1, PaidCents: 500, OutstandingCents: 100, Live: 2}, {FundID: 11, DonorID: 1, PaidCents: 70, Live: 1}},
		IntoFunds: []DonorFigures{{FundID: 10, DonorID: 2, PaidCents: 900, Live: 1}},
		FromDays:  []DonorDay{{FundID: 10, DonorID: 1, Day: "2024-08-01", Live: 2}, {FundID: 11, DonorID: 1, Day: "2024-09-01", Live: 1}},
		Pledges:   []int64{4}, Contributions: []int64{5, 6}}
	plan, err := DecideMerge(st, MergeInput{IntoID: 2, Reason: " Entered twice "}, "admin@example.org", now)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Donor.MergedInto == nil || *plan.Donor.MergedInto != 2 || plan.Donor.MergeReason != "Entered twice" || plan.Donor.MergedBy != "admin@example.org" {
		t.Errorf("merged donor %+v", plan.Donor)
	}
	// Fund 10 had both donors: its count falls by one; fund 11 had only the merged one: unchanged.
	if len(plan.Counts) != 1 || plan.Counts[0] != (FundCount{FundID: 10, Delta: -1}) {
		t.Errorf("donor count deltas %+v", plan.Counts)
	}
	sum := map[int64]int64{}
	for _, f := range plan.Funds {
		sum[f.FundID] += f.PaidCents + f.OutstandingCents + f.Live
	}
	if sum[10] != 0 || sum[11] != 0 || len(plan.Funds) != 4 || len(plan.Days) != 4 {
		t.Errorf("aggregate deltas do not balance: %+v %+v", plan.Funds, plan.Days)
	}
	for _, c := range []struct {
		st   MergeState
		in   MergeInput
		code string
	}{
		{st, MergeInput{IntoID: 2}, EINVALID},
		{MergeState{From: from}, MergeInput{IntoID: 99, Reason: "x"}, EINVALID},
		{st, MergeInput{Reason: "x"}, EINVALID},
		{MergeState{From: from, Into: &from}, MergeInput{IntoID: 1, Reason: "x"}, ECONFLICT},
		{MergeState{From: from, Into: &merged}, MergeInput{IntoID: 3, Reason: "x"}, ECONFLICT},
		{MergeState{From: merged, Into: &into}, MergeInput{IntoID: 2, Reason: "x"}, ECONFLICT},
	} {
		if _, err := DecideMerge(c.st, c.in, "a", now); ErrorCode(err) != c.code {
			t.Errorf("%+v: %v, want %s", c.in, err, c.code)
		}
	}
}

func TestNameKey(t *testing.T) {
	same := []string{"Kingdom of Morocco", "KINGDOM OF MOROCCO", "  Kingdom\u00a0of  Morocco ", "Kingdom of Moróccó", "kingdomofmorocco"}
	for _, s := range same {
		if NameKey(s) != NameKey(same[0]) {
			t.Errorf("%q and %q differ: %q %q", s, same[0], NameKey(s), NameKey(same[0]))
		}
	}
	if NameKey("المَغرِب") != NameKey("المغرب") || NameKey("École") != "ecole" || NameKey("Maroc") == NameKey("Monaco") {
		t.Error("Arabic vowel marks, accents or distinct names are not handled")
	}
}
