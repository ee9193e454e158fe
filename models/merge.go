package models

import (
	"strconv"
	"time"
)

// Merging donors (issue 14): the store loads a MergeState, DecideMerge (pure:
// no clock, no database) decides the records moved and their Effects, and the
// store applies them inside ledgerWrite, with the audit rows, in one transaction.

// MergeInput is the body of POST /donors/{id}/merge.
type MergeInput struct {
	IntoID int64  `json:"into_id"`
	Reason string `json:"reason"`
}

// DonorFigures is a donor's aggregate row in one fund, in USD cents and live
// records (pledges not cancelled, contributions not voided).
type DonorFigures struct {
	FundID, DonorID                   int64
	PaidCents, OutstandingCents, Live int64
}

// DonorDay is a donor's change of live records in a fund on a day.
type DonorDay struct {
	FundID, DonorID int64
	Day             Date
	Live            int64
}

// MergeState is what a merge is decided on: both donors (Into nil when
// into_id names no donor), the merged donor's aggregate rows and per-day
// rows, and the ids of its pledges and contributions.
type MergeState struct {
	From          Donor
	Into          *Donor
	FromFunds     []DonorFigures
	FromDays      []DonorDay
	Pledges       []int64
	Contributions []int64
}

// MergeWrite is every change a merge makes: the merged donor as it becomes,
// the records moved, and the aggregates' changes.
type MergeWrite struct {
	Donor         Donor
	Pledges       []int64
	Contributions []int64
	Effects       Effects
}

// DecideMerge validates a merge and decides it. Fund figures, currency and
// day totals do not change: the money stays in the same funds, on the same
// days; only the donor it is counted under changes, so the effects move the
// merged donor's rows onto the other's. A fund's donor count follows from
// the donors' live records as the store applies them (it falls by one where
// both donors had live records).
func DecideMerge(st MergeState, in MergeInput, actor string, now time.Time) (MergeWrite, error) {
	p := Problems{}
	reason := Reason(in.Reason, p)
	if in.IntoID <= 0 {
		p.Add("into_id", "is required (the id of the donor to merge into)")
	} else if st.Into == nil {
		p.Add("into_id", "no donor with id "+strconv.FormatInt(in.IntoID, 10))
	}
	if err := p.Err(); err != nil {
		return MergeWrite{}, err
	}
	from, into := st.From, *st.Into
	switch {
	case from.MergedInto != nil:
		return MergeWrite{}, Errorf(ECONFLICT, "Donor %d was already merged into donor %d.", from.ID, *from.MergedInto)
	case into.ID == from.ID:
		return MergeWrite{}, &Error{Code: ECONFLICT, Message: "A donor cannot be merged into itself.",
			Fields: map[string]string{"into_id": "is the donor being merged"}}
	case into.MergedInto != nil:
		return MergeWrite{}, &Error{Code: ECONFLICT, Message: "Donor " + strconv.FormatInt(into.ID, 10) + " was itself merged into donor " +
			strconv.FormatInt(*into.MergedInto, 10) + ": merge into that one.", Fields: map[string]string{"into_id": "is a merged donor"}}
	}

	w := MergeWrite{Donor: from, Pledges: st.Pledges, Contributions: st.Contributions}
	at := now.UTC()
	w.Donor.MergedInto, w.Donor.MergedAt, w.Donor.MergedBy, w.Donor.MergeReason = &into.ID, &at, actor, reason
	w.Donor.UpdatedAt = at
	for _, f := range st.FromFunds {
		w.Effects.Donor(f.FundID, from.ID, DonorDelta{Paid: -f.PaidCents, Outstanding: -f.OutstandingCents, Live: -f.Live})
		w.Effects.Donor(f.FundID, into.ID, DonorDelta{Paid: f.PaidCents, Outstanding: f.OutstandingCents, Live: f.Live})
	}
	for _, d := range st.FromDays {
		w.Effects.DonorDay(d.FundID, from.ID, d.Day, -d.Live)
		w.Effects.DonorDay(d.FundID, into.ID, d.Day, d.Live)
	}
	return w, nil
}
