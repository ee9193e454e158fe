-- +goose NO TRANSACTION
-- Issue 16: fund-scoped roles, scoped API tokens, documents on records.
-- SQLite cannot change a CHECK constraint in place: users is rebuilt, with
-- foreign keys off for the rebuild (they cannot be switched inside a
-- transaction, hence NO TRANSACTION and an explicit one; goose runs this on
-- one connection) and checked before the commit.

-- +goose Up
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE users_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'fund_manager', 'viewer', 'auditor')),
    active        BOOLEAN NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
INSERT INTO users_new (id, email, password_hash, role, active, created_at, updated_at)
    SELECT id, email, password_hash, role, active, created_at, updated_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

-- The funds a fund_manager writes on.
CREATE TABLE user_funds (
    user_id INTEGER NOT NULL REFERENCES users(id),
    fund_id INTEGER NOT NULL REFERENCES funds(id),
    PRIMARY KEY (user_id, fund_id)
);

ALTER TABLE tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'write' CHECK (scope IN ('read', 'write'));
ALTER TABLE tokens ADD COLUMN last_used_at TIMESTAMP;

ALTER TABLE funds ADD COLUMN require_agreement_for_commitment BOOLEAN NOT NULL DEFAULT 0;

-- Documents attached to a pledge or a contribution, stored in the database
-- in chunks so that they stream in and out. Never deleted: superseded.
CREATE TABLE documents (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    record_type      TEXT NOT NULL CHECK (record_type IN ('pledge', 'contribution')),
    record_id        INTEGER NOT NULL,
    fund_id          INTEGER NOT NULL REFERENCES funds(id),
    filename         TEXT NOT NULL,
    content_type     TEXT NOT NULL,
    size             INTEGER NOT NULL CHECK (size >= 0),
    sha256           TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('agreement', 'remittance', 'correspondence', 'other')),
    note             TEXT NOT NULL DEFAULT '',
    uploaded_by      TEXT NOT NULL,
    uploaded_at      TIMESTAMP NOT NULL,
    superseded_at    TIMESTAMP,
    superseded_by    TEXT NOT NULL DEFAULT '',
    supersede_reason TEXT NOT NULL DEFAULT '',
    -- An upload is stored a few chunks per transaction and becomes a
    -- document (listed, downloadable, audited) only once complete.
    complete         BOOLEAN NOT NULL DEFAULT 0
);
CREATE INDEX documents_record ON documents (record_type, record_id, id);

CREATE TABLE document_chunks (
    document_id INTEGER NOT NULL REFERENCES documents(id),
    seq         INTEGER NOT NULL,
    data        BLOB NOT NULL,
    PRIMARY KEY (document_id, seq)
);
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
DROP TABLE document_chunks;
DROP TABLE documents;
DROP TABLE user_funds;
ALTER TABLE funds DROP COLUMN require_agreement_for_commitment;
ALTER TABLE tokens DROP COLUMN last_used_at;
ALTER TABLE tokens DROP COLUMN scope;
CREATE TABLE users_old (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'staff')),
    active        BOOLEAN NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
INSERT INTO users_old (id, email, password_hash, role, active, created_at, updated_at)
    SELECT id, email, password_hash, CASE WHEN role = 'admin' THEN 'admin' ELSE 'staff' END, active, created_at, updated_at FROM users;
DROP TABLE users;
ALTER TABLE users_old RENAME TO users;
COMMIT;
PRAGMA foreign_keys = ON;
