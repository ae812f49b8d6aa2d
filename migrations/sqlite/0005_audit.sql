-- The audit log: every admin action, appended in the same transaction as the action itself. Who (`actor`), what
-- (`action`, one of the spellings of `AuditAction` in src/domain/model.rs: no CHECK here, so that a new admin action
-- needs no table rebuild), when (`at`), on whom (`subject`, `other`: user IDs, NULL when the action names nobody)
-- and a short `detail` (a proposal number, a capacity). It records the admin's act, not a participant's answers, so
-- `/mentor leave` does not delete it (README, "Data protection").
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,                 -- unix seconds
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    subject  TEXT,
    other    TEXT,
    detail   TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_log_at ON audit_log (at);
