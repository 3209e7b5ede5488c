-- The editor (issue 14): pours as events, serving sizes per section, password resets.

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

-- Serving sizes per section: cocktails by the glass, food by the plate, beer by the third,
-- half and pint. A section with own_sizes uses the sizes listed here (in the venue's order);
-- without (every section before this migration) it uses all of the venue's sizes.
ALTER TABLE menu_sections ADD COLUMN own_sizes boolean NOT NULL DEFAULT false;
CREATE TABLE section_sizes (
    venue_id bigint NOT NULL,
    section_id bigint NOT NULL,
    serving_size_id bigint NOT NULL,
    PRIMARY KEY (section_id, serving_size_id),
    FOREIGN KEY (venue_id, section_id) REFERENCES menu_sections (venue_id, id) ON DELETE CASCADE,
    FOREIGN KEY (venue_id, serving_size_id) REFERENCES serving_sizes (venue_id, id)
        ON DELETE CASCADE
);
CREATE INDEX section_sizes_size_idx ON section_sizes (venue_id, serving_size_id);

-- Forgot password: a reset link by email. Like sessions and invites, only the SHA-256 of
-- the token is kept; a link works once, for an hour.
CREATE TABLE password_resets (
    token_hash bytea PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id, created_at DESC);
