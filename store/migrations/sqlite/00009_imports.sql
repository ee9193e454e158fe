-- +goose Up
-- Issue 12: imports from spreadsheets, and the fingerprint of every row they
-- created, so that a row is never imported twice in a fund.
CREATE TABLE imports (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL CHECK (kind IN ('donors', 'pledges', 'contributions', 'rates')),
    filename        TEXT NOT NULL,
    size            BIGINT NOT NULL CHECK (size >= 0),
    sha256          TEXT NOT NULL,
    row_count       INTEGER NOT NULL,
    created_count   INTEGER NOT NULL,
    duplicate_count INTEGER NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    created_by      TEXT NOT NULL,
    user_id         BIGINT REFERENCES users(id)
);

-- fund_id is 0 for donors and rates (shared by every fund).
CREATE TABLE import_rows (
    import_id   BIGINT NOT NULL REFERENCES imports(id),
    line        INTEGER NOT NULL,
    fund_id     BIGINT NOT NULL,
    fingerprint TEXT NOT NULL,
    entity_id   BIGINT NOT NULL,
    PRIMARY KEY (import_id, line)
);
CREATE UNIQUE INDEX import_rows_fingerprint ON import_rows (fund_id, fingerprint);

-- +goose Down
DROP TABLE import_rows;
DROP TABLE imports;
