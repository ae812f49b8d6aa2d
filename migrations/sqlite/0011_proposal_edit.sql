-- Proposals admins can edit: removing a pair from a proposal re-matches the rest and makes a new version of it.
-- Approve names the version it was pressed on, so a press on an older version approves nothing. The pairs removed
-- from a proposal (excluded for that round only) are kept in its `body` while it is open, like the rest of it.
ALTER TABLE proposals ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- Who added an exclusion (`/mentor exclusions` shows it). NULL for exclusions added before this migration (the audit
-- log says who) and once that admin's ID is removed when they leave the program.
ALTER TABLE exclusions ADD COLUMN added_by TEXT;
