-- +goose Up
-- Issue 15: the fund and its donors in other languages, acknowledgements of
-- contributions, and donors' private statement links.
ALTER TABLE funds ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';
ALTER TABLE donors ADD COLUMN display_names TEXT NOT NULL DEFAULT '{}';
ALTER TABLE contributions ADD COLUMN acknowledgement TEXT NOT NULL DEFAULT 'to_be_acknowledged'
    CHECK (acknowledgement IN ('to_be_acknowledged', 'acknowledged', 'do_not_acknowledge'));
ALTER TABLE contributions ADD COLUMN acknowledged_on TEXT NOT NULL DEFAULT '';
CREATE INDEX contributions_acknowledgement ON contributions (acknowledgement, id);

-- A donor link's secret is never stored: only its SHA-256.
CREATE TABLE donor_links (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    donor_id     INTEGER NOT NULL REFERENCES donors(id),
    fund_id      INTEGER REFERENCES funds(id),
    token_hash   TEXT NOT NULL UNIQUE,
    expires_on   TEXT NOT NULL,
    lang         TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    created_by   TEXT NOT NULL DEFAULT '',
    revoked_at   TIMESTAMP,
    revoked_by   TEXT NOT NULL DEFAULT '',
    last_used_on TEXT NOT NULL DEFAULT ''
);
CREATE INDEX donor_links_donor ON donor_links (donor_id, id);

-- +goose Down
DROP TABLE donor_links;
DROP INDEX contributions_acknowledgement;
ALTER TABLE contributions DROP COLUMN acknowledged_on;
ALTER TABLE contributions DROP COLUMN acknowledgement;
ALTER TABLE donors DROP COLUMN display_names;
ALTER TABLE funds DROP COLUMN translations;
