-- +goose Up
-- The aggregate tables are looked up and upserted by their primary key only:
-- WITHOUT ROWID stores each row once, in the primary key's b-tree, instead of
-- a rowid table plus a key index, so every write touches half the pages.
CREATE TABLE fund_day_totals_new (
    fund_id                INTEGER NOT NULL REFERENCES funds(id),
    day                    TEXT NOT NULL,
    paid_cents             INTEGER NOT NULL DEFAULT 0,
    outstanding_cents      INTEGER NOT NULL DEFAULT 0,
    paid_unearmarked_cents INTEGER NOT NULL DEFAULT 0,
    contribution_count     INTEGER NOT NULL DEFAULT 0,
    timeline_paid_cents        INTEGER NOT NULL DEFAULT 0,
    timeline_outstanding_cents INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (fund_id, day)
) WITHOUT ROWID;
INSERT INTO fund_day_totals_new SELECT * FROM fund_day_totals;
DROP TABLE fund_day_totals;
ALTER TABLE fund_day_totals_new RENAME TO fund_day_totals;
CREATE TABLE fund_donor_totals_new (
    fund_id           INTEGER NOT NULL REFERENCES funds(id),
    donor_id          INTEGER NOT NULL REFERENCES donors(id),
    paid_cents        INTEGER NOT NULL DEFAULT 0,
    outstanding_cents INTEGER NOT NULL DEFAULT 0,
    live_records      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (fund_id, donor_id)
) WITHOUT ROWID;
INSERT INTO fund_donor_totals_new SELECT * FROM fund_donor_totals;
DROP TABLE fund_donor_totals;
ALTER TABLE fund_donor_totals_new RENAME TO fund_donor_totals;
CREATE TABLE fund_donor_day_totals_new (
    fund_id      INTEGER NOT NULL,
    donor_id     INTEGER NOT NULL,
    day          TEXT NOT NULL,
    live_records INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (fund_id, donor_id, day)
) WITHOUT ROWID;
INSERT INTO fund_donor_day_totals_new SELECT * FROM fund_donor_day_totals;
DROP TABLE fund_donor_day_totals;
ALTER TABLE fund_donor_day_totals_new RENAME TO fund_donor_day_totals;
CREATE TABLE fund_currency_totals_new (
    fund_id           INTEGER NOT NULL REFERENCES funds(id),
    currency          TEXT NOT NULL,
    paid_minor        INTEGER NOT NULL DEFAULT 0,
    paid_cents        INTEGER NOT NULL DEFAULT 0,
    outstanding_minor INTEGER NOT NULL DEFAULT 0,
    outstanding_cents INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (fund_id, currency)
) WITHOUT ROWID;
INSERT INTO fund_currency_totals_new SELECT * FROM fund_currency_totals;
DROP TABLE fund_currency_totals;
ALTER TABLE fund_currency_totals_new RENAME TO fund_currency_totals;
CREATE INDEX fund_donor_totals_paid ON fund_donor_totals (fund_id, paid_cents);

-- +goose Down
CREATE TABLE fund_day_totals_old (
    fund_id                INTEGER NOT NULL REFERENCES funds(id),
    day                    TEXT NOT NULL,
    paid_cents             INTEGER NOT NULL DEFAULT 0,
    outstanding_cents      INTEGER NOT NULL DEFAULT 0,
    paid_unearmarked_cents INTEGER NOT NULL DEFAULT 0,
    contribution_count     INTEGER NOT NULL DEFAULT 0,
    timeline_paid_cents        INTEGER NOT NULL DEFAULT 0,
    timeline_outstanding_cents INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (fund_id, day)
);
INSERT INTO fund_day_totals_old SELECT * FROM fund_day_totals;
DROP TABLE fund_day_totals;
ALTER TABLE fund_day_totals_old RENAME TO fund_day_totals;
CREATE TABLE fund_donor_totals_old (
    fund_id           INTEGER NOT NULL REFERENCES funds(id),
    donor_id          INTEGER NOT NULL REFERENCES donors(id),
    paid_cents        INTEGER NOT NULL DEFAULT 0,
    outstanding_cents INTEGER NOT NULL DEFAULT 0,
    live_records      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (fund_id, donor_id)
);
INSERT INTO fund_donor_totals_old SELECT * FROM fund_donor_totals;
DROP TABLE fund_donor_totals;
ALTER TABLE fund_donor_totals_old RENAME TO fund_donor_totals;
CREATE TABLE fund_donor_day_totals_old (
    fund_id      INTEGER NOT NULL,
    donor_id     INTEGER NOT NULL,
    day          TEXT NOT NULL,
    live_records INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (fund_id, donor_id, day)
);
INSERT INTO fund_donor_day_totals_old SELECT * FROM fund_donor_day_totals;
DROP TABLE fund_donor_day_totals;
ALTER TABLE fund_donor_day_totals_old RENAME TO fund_donor_day_totals;
CREATE TABLE fund_currency_totals_old (
    fund_id           INTEGER NOT NULL REFERENCES funds(id),
    currency          TEXT NOT NULL,
    paid_minor        INTEGER NOT NULL DEFAULT 0,
    paid_cents        INTEGER NOT NULL DEFAULT 0,
    outstanding_minor INTEGER NOT NULL DEFAULT 0,
    outstanding_cents INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (fund_id, currency)
);
INSERT INTO fund_currency_totals_old SELECT * FROM fund_currency_totals;
DROP TABLE fund_currency_totals;
ALTER TABLE fund_currency_totals_old RENAME TO fund_currency_totals;
CREATE INDEX fund_donor_totals_paid ON fund_donor_totals (fund_id, paid_cents);
