-- Pours are events, not edits (DESIGN.md, convention 20): what a flow meter or keg scale
-- reports goes here, and the keg level on the entry moves with it — no menu version, no
-- revision, nothing for History or Undo.
--
-- Expand only: a new table; code that does not know it keeps working.

CREATE TABLE pours (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    venue_id bigint NOT NULL,
    entry_id bigint NOT NULL,
    volume_ml integer NOT NULL CHECK (volume_ml > 0),
    -- The keg's remaining volume after this pour, as the level was then.
    remaining_ml integer NOT NULL CHECK (remaining_ml >= 0),
    token_id bigint REFERENCES api_tokens ON DELETE SET NULL,
    user_id bigint REFERENCES users ON DELETE SET NULL,
    poured_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (venue_id, entry_id) REFERENCES menu_entries (venue_id, id) ON DELETE CASCADE
);
CREATE INDEX pours_entry_idx ON pours (venue_id, entry_id, poured_at DESC);
