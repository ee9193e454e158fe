-- +goose Up
-- Money is stored as integer minor units (amount_minor in the currency's ISO
-- 4217 minor unit, *_cents in USD cents) so that SQL sums are exact integers.
-- Exchange rates, which are never summed, are decimal text. Dates are TEXT
-- 'YYYY-MM-DD' (they sort and compare as dates on both engines).
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'staff')),
    active        BOOLEAN NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE tokens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    kind        TEXT NOT NULL CHECK (kind IN ('session', 'api')),
    name        TEXT NOT NULL DEFAULT '',
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP,
    revoked_at  TIMESTAMP
);
CREATE INDEX tokens_user ON tokens (user_id, id);

CREATE TABLE login_throttles (
    key          TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_start TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);

CREATE TABLE funds (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    code         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    organization TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT '',
    target_cents INTEGER NOT NULL CHECK (target_cents > 0),
    opens_on     TEXT NOT NULL DEFAULT '',
    closes_on    TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);

CREATE TABLE donors (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    country_code  TEXT NOT NULL DEFAULT '',
    anonymous     BOOLEAN NOT NULL DEFAULT 0,
    contact_email TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE exchange_rates (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    currency      TEXT NOT NULL,
    effective_on  TEXT NOT NULL,
    units_per_usd TEXT NOT NULL,
    source        TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    created_by    TEXT NOT NULL DEFAULT '',
    UNIQUE (currency, effective_on)
);

CREATE TABLE pledges (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    fund_id          INTEGER NOT NULL REFERENCES funds(id),
    donor_id         INTEGER NOT NULL REFERENCES donors(id),
    amount_minor     INTEGER NOT NULL CHECK (amount_minor > 0),
    currency         TEXT NOT NULL,
    exchange_rate    TEXT NOT NULL,
    amount_usd_cents INTEGER NOT NULL,
    paid_minor       INTEGER NOT NULL DEFAULT 0 CHECK (paid_minor >= 0 AND paid_minor <= amount_minor),
    pledged_on       TEXT NOT NULL,
    due_on           TEXT NOT NULL DEFAULT '',
    stage            TEXT NOT NULL,
    earmarking       TEXT NOT NULL,
    reference        TEXT NOT NULL DEFAULT '',
    notes            TEXT NOT NULL DEFAULT '',
    cancelled_at     TIMESTAMP,
    cancel_day       TEXT NOT NULL DEFAULT '',
    cancel_reason    TEXT NOT NULL DEFAULT '',
    cancelled_by     TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMP NOT NULL,
    created_by       TEXT NOT NULL DEFAULT '',
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX pledges_fund ON pledges (fund_id, id);
CREATE INDEX pledges_donor ON pledges (donor_id, id);

CREATE TABLE contributions (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    fund_id          INTEGER NOT NULL REFERENCES funds(id),
    donor_id         INTEGER NOT NULL REFERENCES donors(id),
    pledge_id        INTEGER REFERENCES pledges(id),
    amount_minor     INTEGER NOT NULL CHECK (amount_minor > 0),
    currency         TEXT NOT NULL,
    exchange_rate    TEXT NOT NULL,
    amount_usd_cents INTEGER NOT NULL,
    received_on      TEXT NOT NULL,
    earmarking       TEXT NOT NULL,
    reference        TEXT NOT NULL DEFAULT '',
    notes            TEXT NOT NULL DEFAULT '',
    voided_at        TIMESTAMP,
    void_day         TEXT NOT NULL DEFAULT '',
    void_reason      TEXT NOT NULL DEFAULT '',
    voided_by        TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMP NOT NULL,
    created_by       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX contributions_fund ON contributions (fund_id, id);
CREATE INDEX contributions_fund_received ON contributions (fund_id, received_on, id);
CREATE INDEX contributions_donor ON contributions (donor_id, id);
CREATE INDEX contributions_pledge ON contributions (pledge_id);

-- Aggregates, kept exact in the same transaction as every write, so that
-- reads do not grow with the ledger. *_day tables hold the change of each
-- figure on a day; a figure as of a day is the sum of its changes up to it.
CREATE TABLE fund_totals (
    fund_id                INTEGER PRIMARY KEY REFERENCES funds(id),
    paid_cents             INTEGER NOT NULL DEFAULT 0,
    outstanding_cents      INTEGER NOT NULL DEFAULT 0,
    paid_unearmarked_cents INTEGER NOT NULL DEFAULT 0,
    contribution_count     INTEGER NOT NULL DEFAULT 0,
    donor_count            INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE fund_day_totals (
    fund_id                INTEGER NOT NULL REFERENCES funds(id),
    day                    TEXT NOT NULL,
    paid_cents             INTEGER NOT NULL DEFAULT 0,
    outstanding_cents      INTEGER NOT NULL DEFAULT 0,
    paid_unearmarked_cents INTEGER NOT NULL DEFAULT 0,
    contribution_count     INTEGER NOT NULL DEFAULT 0,
    -- The timeline's view: the ledger as it stands now, by the dates its
    -- records carry (a voided contribution leaves the day it was received; a
    -- cancelled pledge leaves every day), where the columns above date voids
    -- and cancellations on the day they happened (for ?as_of=).
    timeline_paid_cents        INTEGER NOT NULL DEFAULT 0,
    timeline_outstanding_cents INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (fund_id, day)
);

CREATE TABLE fund_donor_totals (
    fund_id           INTEGER NOT NULL REFERENCES funds(id),
    donor_id          INTEGER NOT NULL REFERENCES donors(id),
    paid_cents        INTEGER NOT NULL DEFAULT 0,
    outstanding_cents INTEGER NOT NULL DEFAULT 0,
    live_records      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (fund_id, donor_id)
);
CREATE INDEX fund_donor_totals_paid ON fund_donor_totals (fund_id, paid_cents);

CREATE TABLE fund_donor_day_totals (
    fund_id      INTEGER NOT NULL,
    donor_id     INTEGER NOT NULL,
    day          TEXT NOT NULL,
    live_records INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (fund_id, donor_id, day)
);

CREATE TABLE fund_currency_totals (
    fund_id           INTEGER NOT NULL REFERENCES funds(id),
    currency          TEXT NOT NULL,
    paid_minor        INTEGER NOT NULL DEFAULT 0,
    paid_cents        INTEGER NOT NULL DEFAULT 0,
    outstanding_minor INTEGER NOT NULL DEFAULT 0,
    outstanding_cents INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (fund_id, currency)
);

CREATE TABLE idempotency_keys (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status      INTEGER NOT NULL,
    response    TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (user_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

CREATE TABLE audit_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TIMESTAMP NOT NULL,
    actor_id   INTEGER,
    actor      TEXT NOT NULL,
    source_ip  TEXT NOT NULL DEFAULT '',
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  INTEGER,
    before     TEXT,
    after      TEXT
);
CREATE INDEX audit_events_entity ON audit_events (entity, entity_id, id);

-- +goose Down
DROP TABLE audit_events;
DROP TABLE idempotency_keys;
DROP TABLE fund_currency_totals;
DROP TABLE fund_donor_day_totals;
DROP TABLE fund_donor_totals;
DROP TABLE fund_day_totals;
DROP TABLE fund_totals;
DROP TABLE contributions;
DROP TABLE pledges;
DROP TABLE exchange_rates;
DROP TABLE donors;
DROP TABLE funds;
DROP TABLE login_throttles;
DROP TABLE tokens;
DROP TABLE users;
