package models

import (
	"bytes"
	"encoding/json"
	"time"
)

// What a request carries besides its body, shared by the handlers (which
// read it from HTTP) and the store (which acts on it): neither owns it.

// Idempotency is a client's Idempotency-Key and the fingerprint of its request.
type Idempotency struct {
	Key         string
	Fingerprint string
}

// Replay is the stored answer to a request made again with the same key.
type Replay struct {
	Status int
	Body   []byte
}

// SessionTTL is how long a browser session lasts.
var SessionTTL = 12 * time.Hour

// ContributionFilter narrows the contribution list and export.
type ContributionFilter struct {
	Acknowledgement           string // issue 15: one of Acknowledgements ("" any)
	FundID, DonorID, PledgeID int64
	From, To                  Date   // received_on, inclusive
	ListFilter                       // issue 14: q, earmarking, currency
	Voided                    string // exclude, include (""), only
}

// PledgeFilter narrows the pledge list and export.
type PledgeFilter struct {
	FundID, DonorID int64
	Status          string
	ListFilter      // issue 14: q, earmarking, currency
	Stage           string
	From, To        Date // pledged_on, inclusive
}

// ListFilter is what the pledge and contribution lists share (issue 14).
type ListFilter struct {
	// Query matches part of the donor's name or of the reference, case and
	// accents aside (ft_fold on both engines, Fold for the query).
	Query      string
	Earmarking string
	Currency   string
}

// DonorFilter narrows the donor list.
type DonorFilter struct {
	FundID int64  // donors with a record in this fund
	Query  string // part of the name
	// IncludeMerged lists merged donors too (they are left out by default).
	IncludeMerged bool
}

// AuditFilter narrows the audit trail.
type AuditFilter struct {
	Entity   string
	EntityID int64
	ActorID  int64
	Action   string
	From, To Date // on the UTC date of the event
}

// Same reports whether a record is unchanged by a patch: the same JSON (so
// "10.0" and "10.00" are the same amount).
func Same(before, after any) bool {
	b, err1 := json.Marshal(before)
	a, err2 := json.Marshal(after)
	return err1 == nil && err2 == nil && bytes.Equal(a, b)
}

// NotNull is implemented by PATCH bodies: the required fields, which a PATCH
// may leave out (unchanged) but not set to null.
type NotNull interface{ NotNull() []string }

// NotNull lists the pledge fields a PATCH may not set to null.
func (PledgePatch) NotNull() []string { return []string{"amount", "stage", "earmarking"} }

// NotNull lists the fund fields a PATCH may not set to null.
func (FundInput) NotNull() []string { return []string{"code", "name", "target_usd"} }

// NotNull lists the donor fields a PATCH may not set to null.
func (DonorInput) NotNull() []string { return []string{"name", "kind", "anonymous", "language"} }

// NotNull lists the user fields a PATCH may not set to null.
func (UserInput) NotNull() []string { return []string{"email", "password", "role", "active"} }

// Voided choices of the exports: the live records and the voided (or
// cancelled) ones, the live ones only, or the voided ones only.
const (
	VoidedInclude = "include"
	VoidedExclude = "exclude"
	VoidedOnly    = "only"
)

// VoidedChoices lists the values of ?voided=, the default first.
var VoidedChoices = []string{VoidedInclude, VoidedExclude, VoidedOnly}

// DonorShareWithID is a line of the public donor breakdown with the donor's id.
type DonorShareWithID struct {
	DonorID int64
	DonorShare
}

// RecordFilter chooses the live ledger records of IATI and FTS files.
type RecordFilter struct {
	FundID   int64 // 0: every fund
	From, To Date  // the record's date (pledged_on, received_on), inclusive
	// AsOf, when set, reads the books as they stood at the end of that day:
	// records dated up to it, voids and cancellations made after it undone.
	AsOf Date
}

// Issue 15: the open-data snapshot of a fund as it stood at the end of a day.

// Snapshot is a fund's public figures as of a day, read in one snapshot.
type Snapshot struct {
	Fund          Fund
	Progress      Progress
	Donors        []DonorShare           // live at as_of, most paid first
	Timeline      []TimelinePoint        // months, dated as progress?as_of= dates them
	Contributions []SnapshotContribution // live at as_of, oldest first
}

// SnapshotContribution is a contribution's public columns.
type SnapshotContribution struct {
	ReceivedOn   Date
	DonorName    string
	DisplayNames map[string]string
	Anonymous    bool
	Amount       Money
	Currency     string
	AmountUSD    Money
	Earmarking   string
}
