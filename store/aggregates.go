package store

// The aggregates are kept exact in the same transaction as each write, so
// that progress, the donor breakdown and the timeline read a handful of rows
// whatever the size of the ledger. Each figure lives in a total (now) and in
// per-day changes (for ?as_of= and the timeline); the two always agree, and a
// test recomputes both from the rows after random writes. What a write
// changes is decided in models (models.Effects) and written by ltx.apply
// (ledger.go), each row once.
