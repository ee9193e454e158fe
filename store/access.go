package store

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

// Issue 16: the funds of fund managers, and the fund a record belongs to.

func init() {
	Tables = append(Tables, "user_funds", "documents", "document_chunks")
}

// withFundIDs fills in the fund ids of each user (an empty list when none).
func withFundIDs(db *gorm.DB, users []models.User) error {
	if len(users) == 0 {
		return nil
	}
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	var rows []struct{ UserID, FundID int64 }
	if err := db.Raw("SELECT user_id, fund_id FROM user_funds WHERE user_id IN ? ORDER BY user_id, fund_id", ids).Scan(&rows).Error; err != nil {
		return err
	}
	for i := range users {
		users[i].FundIDs = []int64{}
		for _, r := range rows {
			if r.UserID == users[i].ID {
				users[i].FundIDs = append(users[i].FundIDs, r.FundID)
			}
		}
	}
	return nil
}

// fundsExist reports, as a validation error naming fund_ids, the ids that name no fund.
func fundsExist(tx *gorm.DB, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var found []int64
	if err := tx.Raw("SELECT id FROM funds WHERE id IN ?", ids).Scan(&found).Error; err != nil {
		return err
	}
	var missing []string
	for _, id := range ids {
		if !slices.Contains(found, id) {
			missing = append(missing, strconv.FormatInt(id, 10))
		}
	}
	if len(missing) > 0 {
		return models.FieldError("fund_ids", "no fund with id "+strings.Join(missing, ", "))
	}
	return nil
}

// setUserFunds replaces the funds of a user.
func setUserFunds(tx *gorm.DB, userID int64, ids []int64) error {
	if err := tx.Exec("DELETE FROM user_funds WHERE user_id = ?", userID).Error; err != nil {
		return err
	}
	for _, id := range ids {
		if err := tx.Exec("INSERT INTO user_funds (user_id, fund_id) VALUES (?, ?)", userID, id).Error; err != nil {
			return err
		}
	}
	return nil
}

func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// fundOfQueries reads the fund of a record, per kind of record.
var fundOfQueries = map[string]string{
	"pledge":       "SELECT fund_id FROM pledges WHERE id = ?",
	"contribution": "SELECT fund_id FROM contributions WHERE id = ?",
	"document":     "SELECT fund_id FROM documents WHERE id = ? AND complete = TRUE",
	"donor link":   "SELECT COALESCE(fund_id, 0) FROM donor_links WHERE id = ?", // 0: a link for every fund
}

// FundOf returns the fund of a record ("pledge", "contribution", "document"
// or "donor link": 0 for a link limited to no fund); a record that does not
// exist is not_found. The fund of a
// record never changes, so a check made on it before a write stays true.
func (s *Store) FundOf(ctx context.Context, entity string, id int64) (int64, error) {
	q, ok := fundOfQueries[entity]
	if !ok {
		return 0, models.Errorf(models.EINTERNAL, "no fund lookup for %s", entity)
	}
	var ids []int64
	if err := s.r.WithContext(ctx).Raw(q, id).Scan(&ids).Error; err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, notFound(entity, id)
	}
	return ids[0], nil
}
