-- +goose Up
-- Issue 13: IATI 2.03 publishing. A fund's activity identifier and reporting
-- organisation, and a donor's organisation identifier; all optional ('' = unset).
ALTER TABLE funds ADD COLUMN iati_identifier TEXT NOT NULL DEFAULT '';
ALTER TABLE funds ADD COLUMN iati_reporting_org_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE funds ADD COLUMN iati_reporting_org_type TEXT NOT NULL DEFAULT '';
ALTER TABLE funds ADD COLUMN iati_reporting_org_name TEXT NOT NULL DEFAULT '';
ALTER TABLE donors ADD COLUMN iati_org_ref TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE donors DROP COLUMN iati_org_ref;
ALTER TABLE funds DROP COLUMN iati_reporting_org_name;
ALTER TABLE funds DROP COLUMN iati_reporting_org_type;
ALTER TABLE funds DROP COLUMN iati_reporting_org_ref;
ALTER TABLE funds DROP COLUMN iati_identifier;
