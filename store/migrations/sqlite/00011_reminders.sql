-- +goose Up
-- Issue 11: payment reminders (docs/reminders.md). A fund's reminder policy
-- (JSON, '' = no reminders), a donor's language, and one row per reminder.
ALTER TABLE funds ADD COLUMN reminder_policy TEXT NOT NULL DEFAULT '';
ALTER TABLE donors ADD COLUMN language TEXT NOT NULL DEFAULT 'en';

-- A reminder is of one instalment (pledge_id, instalment_seq, due_on: a
-- reschedule that moves a due date gives the new date reminders of its own).
-- status 'sending' is a claim: one instance holds it until claimed_until_ms
-- (unix ms); delivering is set just before the message is handed to SMTP.
CREATE TABLE reminders (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    pledge_id        BIGINT NOT NULL REFERENCES pledges(id),
    fund_id          BIGINT NOT NULL REFERENCES funds(id),
    donor_id         BIGINT NOT NULL REFERENCES donors(id),
    instalment_seq   INTEGER NOT NULL CHECK (instalment_seq > 0),
    due_on           TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('upcoming', 'overdue')),
    sequence         INTEGER NOT NULL CHECK (sequence > 0),
    send_on          TEXT NOT NULL,
    recipient        TEXT NOT NULL DEFAULT '',
    language         TEXT NOT NULL DEFAULT 'en',
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
    error            TEXT NOT NULL DEFAULT '',
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms  BIGINT NOT NULL DEFAULT 0,
    claimed_until_ms BIGINT NOT NULL DEFAULT 0,
    claim_token      TEXT NOT NULL DEFAULT '',
    delivering       BOOLEAN NOT NULL DEFAULT 0,
    created_at       TIMESTAMP NOT NULL,
    sent_at          TIMESTAMP
);
-- Each (instalment, kind, sequence) once: creation is INSERT ... ON CONFLICT DO NOTHING.
CREATE UNIQUE INDEX reminders_once ON reminders (pledge_id, instalment_seq, due_on, kind, sequence);
CREATE INDEX reminders_status ON reminders (status, next_attempt_ms);
CREATE INDEX reminders_fund ON reminders (fund_id, id);

-- +goose Down
DROP TABLE reminders;
ALTER TABLE donors DROP COLUMN language;
ALTER TABLE funds DROP COLUMN reminder_policy;
