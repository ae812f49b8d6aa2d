-- Why someone is waiting for a match: the reason the last approved matching round gave for leaving them out (a
-- reason code, system-generated, never typed by a person). Written in the approving transaction; a person that round
-- paired, or who was paused at it, has no row. The report counts people waiting from this table instead of running
-- the matcher on every request; someone with no row waits for their first round (or the first since their pair
-- ended). Deleted with the person.
CREATE TABLE waiting_reasons (
    user_id      TEXT PRIMARY KEY REFERENCES participants (user_id) ON DELETE CASCADE,
    reason       TEXT NOT NULL,
    proposal_id  INTEGER NOT NULL,
    recorded_at  INTEGER NOT NULL                 -- unix seconds
) STRICT;
