package models

import (
	"sort"
	"strconv"
	"time"
)

// Merging donors (issue 14): the store loads a MergeState, DecideMerge (pure:
// no clock, no database) says what changes, and the store applies the plan in
// one transaction with its audit rows.

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
// into_id names no donor), their aggregate rows, the merged donor's per-day
// rows, and the ids of its pledges and contributions.
type MergeState struct {
	From          Donor
	Into          *Donor
	FromFunds     []DonorFigures
	IntoFunds     []DonorFigures
	FromDays      []DonorDay
	Pledges       []int64
	Contributions []int64
}

// FundCount is a change in a fund's donor count.
type FundCount struct {
	FundID int64
	Delta  int64
}

// MergePlan is every change a merge makes: the merged donor as it becomes,
// the records moved, and the aggregate changes (deltas to add).
type MergePlan struct {
	Donor         Donor
	Pledges       []int64
	Contributions []int64
	Funds         []DonorFigures // deltas of fund_donor_totals rows
	Days          []DonorDay     // deltas of fund_donor_day_totals rows
	Counts        []FundCount    // deltas of fund_totals.donor_count
}

// DecideMerge validates a merge and returns its plan. Fund figures, currency
// and day totals do not change: the money stays in the same funds, on the
// same days; only the donor it is counted under changes. A fund's donor count
// falls by one where both donors had live records.
func DecideMerge(st MergeState, in MergeInput, actor string, now time.Time) (MergePlan, error) {
	p := Problems{}
	reason := Reason(in.Reason, p)
	if in.IntoID <= 0 {
		p.Add("into_id", "is required (the id of the donor to merge into)")
	} else if st.Into == nil {
		p.Add("into_id", "no donor with id "+strconv.FormatInt(in.IntoID, 10))
	}
	if err := p.Err(); err != nil {
		return MergePlan{}, err
	}
	from, into := st.From, *st.Into
	switch {
	case from.MergedInto != nil:
		return MergePlan{}, Errorf(ECONFLICT, "Donor %d was already merged into donor %d.", from.ID, *from.MergedInto)
	case into.ID == from.ID:
		return MergePlan{}, &Error{Code: ECONFLICT, Message: "A donor cannot be merged into itself.",
			Fields: map[string]string{"into_id": "is the donor being merged"}}
	case into.MergedInto != nil:
		return MergePlan{}, &Error{Code: ECONFLICT, Message: "Donor " + strconv.FormatInt(into.ID, 10) + " was itself merged into donor " +
			strconv.FormatInt(*into.MergedInto, 10) + ": merge into that one.", Fields: map[string]string{"into_id": "is a merged donor"}}
	}

	plan := MergePlan{Donor: from, Pledges: st.Pledges, Contributions: st.Contributions}
	at := now.UTC()
	plan.Donor.MergedInto, plan.Donor.MergedAt, plan.Donor.MergedBy, plan.Donor.MergeReason = &into.ID, &at, actor, reason
	plan.Donor.UpdatedAt = at

	intoLive := map[int64]int64{}
	for _, f := range st.IntoFunds {
		intoLive[f.FundID] += f.Live
	}
	for _, f := range st.FromFunds {
		if f.PaidCents == 0 && f.OutstandingCents == 0 && f.Live == 0 {
			continue
		}
		plan.Funds = append(plan.Funds,
			DonorFigures{FundID: f.FundID, DonorID: from.ID, PaidCents: -f.PaidCents, OutstandingCents: -f.OutstandingCents, Live: -f.Live},
			DonorFigures{FundID: f.FundID, DonorID: into.ID, PaidCents: f.PaidCents, OutstandingCents: f.OutstandingCents, Live: f.Live})
		before := btoi(f.Live > 0) + btoi(intoLive[f.FundID] > 0)
		after := btoi(f.Live+intoLive[f.FundID] > 0)
		if d := after - before; d != 0 {
			plan.Counts = append(plan.Counts, FundCount{FundID: f.FundID, Delta: d})
		}
	}
	for _, d := range st.FromDays {
		if d.Live == 0 {
			continue
		}
		plan.Days = append(plan.Days, DonorDay{FundID: d.FundID, DonorID: from.ID, Day: d.Day, Live: -d.Live},
			DonorDay{FundID: d.FundID, DonorID: into.ID, Day: d.Day, Live: d.Live})
	}
	// A fixed order of row locks.
	sort.SliceStable(plan.Funds, func(i, j int) bool { return plan.Funds[i].FundID < plan.Funds[j].FundID })
	sort.SliceStable(plan.Days, func(i, j int) bool {
		a, b := plan.Days[i], plan.Days[j]
		if a.FundID != b.FundID {
			return a.FundID < b.FundID
		}
		return a.Day < b.Day
	})
	sort.Slice(plan.Counts, func(i, j int) bool { return plan.Counts[i].FundID < plan.Counts[j].FundID })
	return plan, nil
}

func btoi(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
