package models

// FundBreakdown is what a fund was paid, by earmarking and by currency, as it
// stood at the end of AsOf (issue 14: the public dashboard's breakdown).
type FundBreakdown struct {
	FundID       int64             `json:"fund_id"`
	FundCode     string            `json:"fund_code"`
	AsOf         Date              `json:"as_of"`
	Paid         Money             `json:"paid"`
	ByEarmarking []EarmarkingShare `json:"by_earmarking"`
	ByCurrency   []CurrencyShare   `json:"by_currency"`
}

// EarmarkingShare is the money paid with one earmarking.
type EarmarkingShare struct {
	Earmarking        string `json:"earmarking"`
	Paid              Money  `json:"paid"`
	ContributionCount int64  `json:"contribution_count"`
	SharePaidPercent  string `json:"share_of_paid_percent"`
}

// CurrencyShare is the money paid in one currency, in it and in USD.
type CurrencyShare struct {
	Currency          string `json:"currency"`
	Amount            Money  `json:"amount"`
	PaidUSD           Money  `json:"paid_usd"`
	ContributionCount int64  `json:"contribution_count"`
	SharePaidPercent  string `json:"share_of_paid_percent"`
}
