-- +goose Up
-- Issue 11: a pledge's instalments. The schedule is stored (due dates,
-- amounts, the part of each written off); what each has been paid is not:
-- it is allocated from the pledge's paid total when read (models.Allocate).
-- A reschedule writes a new version of the rows and keeps the old ones.
CREATE TABLE pledge_instalments (
    pledge_id         BIGINT NOT NULL REFERENCES pledges(id),
    version           INTEGER NOT NULL,
    seq               INTEGER NOT NULL CHECK (seq > 0),
    due_on            TEXT NOT NULL DEFAULT '',
    amount_minor      BIGINT NOT NULL CHECK (amount_minor > 0),
    written_off_minor BIGINT NOT NULL DEFAULT 0 CHECK (written_off_minor >= 0 AND written_off_minor <= amount_minor),
    PRIMARY KEY (pledge_id, version, seq)
);

-- What was written off of a pledge, when and why (kept apart from cancellations).
CREATE TABLE pledge_write_offs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    pledge_id        BIGINT NOT NULL REFERENCES pledges(id),
    fund_id          BIGINT NOT NULL REFERENCES funds(id),
    amount_minor     BIGINT NOT NULL CHECK (amount_minor > 0),
    currency         TEXT NOT NULL,
    amount_usd_cents BIGINT NOT NULL,
    day              TEXT NOT NULL,
    reason           TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    created_by       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX pledge_write_offs_pledge ON pledge_write_offs (pledge_id, id);

-- The pledge keeps its written-off total, its schedule's version and the
-- earliest due date with something outstanding (status filters in SQL).
ALTER TABLE pledges ADD COLUMN written_off_minor BIGINT NOT NULL DEFAULT 0;
-- The falls the write-offs made in outstanding_usd, as each was made (the
-- sum of pledge_write_offs.amount_usd_cents): fixed once written off.
ALTER TABLE pledges ADD COLUMN written_off_usd_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE pledges ADD COLUMN schedule_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE pledges ADD COLUMN next_due_on TEXT NOT NULL DEFAULT '';

INSERT INTO pledge_instalments (pledge_id, version, seq, due_on, amount_minor, written_off_minor)
    SELECT id, 1, 1, due_on, amount_minor, 0 FROM pledges;
UPDATE pledges SET next_due_on = due_on WHERE cancelled_at IS NULL AND paid_minor < amount_minor;
CREATE INDEX pledges_next_due ON pledges (fund_id, next_due_on);

-- +goose Down
DROP INDEX pledges_next_due;
ALTER TABLE pledges DROP COLUMN next_due_on;
ALTER TABLE pledges DROP COLUMN schedule_version;
ALTER TABLE pledges DROP COLUMN written_off_usd_cents;
ALTER TABLE pledges DROP COLUMN written_off_minor;
DROP TABLE pledge_write_offs;
DROP TABLE pledge_instalments;
