-- The survey's optional free-text note is gone: nobody ever read it (it was shown to no one, used for nothing), so
-- it is not collected any more, and what people had written is deleted with the column (overwritten on disk, not
-- only unlinked: secure_delete is on for this connection).
PRAGMA secure_delete = ON;
ALTER TABLE participants DROP COLUMN note;
