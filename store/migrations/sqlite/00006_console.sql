-- +goose Up
-- Issue 14: merged donors, and the indexes of lists sorted newest first by date.
-- A merged donor stays (records are never deleted) and points to the donor
-- its pledges and contributions were moved to. No foreign key: a merge may
-- point to a donor created later, and copy inserts in id order.
ALTER TABLE donors ADD COLUMN merged_into INTEGER;
ALTER TABLE donors ADD COLUMN merged_at TIMESTAMP;
ALTER TABLE donors ADD COLUMN merged_by TEXT NOT NULL DEFAULT '';
ALTER TABLE donors ADD COLUMN merge_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX donors_country ON donors (country_code, id);
CREATE INDEX pledges_pledged ON pledges (pledged_on, id);
CREATE INDEX contributions_received ON contributions (received_on, id);
-- SQLite's ft_fold(text) is registered by the store's driver (store/dialect.go).

-- +goose Down
DROP INDEX contributions_received;
DROP INDEX pledges_pledged;
DROP INDEX donors_country;
ALTER TABLE donors DROP COLUMN merge_reason;
ALTER TABLE donors DROP COLUMN merged_by;
ALTER TABLE donors DROP COLUMN merged_at;
ALTER TABLE donors DROP COLUMN merged_into;
