package store

import (
	"encoding/json"

	"github.com/fundtracker/fundtracker/models"
)

// Issue 15: translations are kept as JSON text in one column each (funds.translations,
// donors.display_names): they are read whole with their row and never queried into.

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return "{}"
	}
	return string(b)
}

func fundTranslationsOf(s string) map[string]models.FundTranslation {
	m := map[string]models.FundTranslation{}
	if s != "" {
		json.Unmarshal([]byte(s), &m)
	}
	return m
}

func displayNamesOf(s string) map[string]string {
	m := map[string]string{}
	if s != "" {
		json.Unmarshal([]byte(s), &m)
	}
	return m
}

// ackOf reads a contribution's acknowledgement: a row built in Go before its
// INSERT (which leaves the column to its default) has none yet.
func ackOf(s string) string {
	if s == "" {
		return models.AckToBeAcknowledged
	}
	return s
}
