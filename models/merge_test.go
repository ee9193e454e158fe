package models

import (
	"reflect"
	"testing"
	"time"
)

func TestDecideMerge(t *testing.T) {
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	seven := int64(7)
	from, into, merged := Donor{ID: 1, Name: "Royaume du Maroc"}, Donor{ID: 2, Name: "Kingdom of Morocco"}, Donor{ID: 3, MergedInto: &seven}
	st := MergeState{From: from, Into: &into,
		FromFunds: []DonorFigures{{FundID: 10, DonorID: 1, PaidCents: 500, OutstandingCents: 100, Live: 2}, {FundID: 11, DonorID: 1, PaidCents: 70, Live: 1}},
		FromDays:  []DonorDay{{FundID: 10, DonorID: 1, Day: "2024-08-01", Live: 2}, {FundID: 11, DonorID: 1, Day: "2024-09-01", Live: 1}},
		Pledges:   []int64{4}, Contributions: []int64{5, 6}}
	w, err := DecideMerge(st, MergeInput{IntoID: 2, Reason: " Entered twice "}, "admin@example.org", now)
	if err != nil {
		t.Fatal(err)
	}
	if w.Donor.MergedInto == nil || *w.Donor.MergedInto != 2 || w.Donor.MergeReason != "Entered twice" || w.Donor.MergedBy != "admin@example.org" {
		t.Errorf("merged donor %+v", w.Donor)
	}
	// The merged donor's rows move, whole, onto the other's; nothing else changes.
	want := Effects{}
	want.Donor(10, 1, DonorDelta{Paid: -500, Outstanding: -100, Live: -2})
	want.Donor(10, 2, DonorDelta{Paid: 500, Outstanding: 100, Live: 2})
	want.Donor(11, 1, DonorDelta{Paid: -70, Live: -1})
	want.Donor(11, 2, DonorDelta{Paid: 70, Live: 1})
	want.DonorDay(10, 1, "2024-08-01", -2)
	want.DonorDay(10, 2, "2024-08-01", 2)
	want.DonorDay(11, 1, "2024-09-01", -1)
	want.DonorDay(11, 2, "2024-09-01", 1)
	if !reflect.DeepEqual(w.Effects, want) {
		t.Errorf("effects %+v, want %+v", w.Effects, want)
	}
	if len(w.Pledges) != 1 || len(w.Contributions) != 2 {
		t.Errorf("records moved %v %v", w.Pledges, w.Contributions)
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
