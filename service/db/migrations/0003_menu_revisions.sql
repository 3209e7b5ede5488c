-- Every change to a menu is a revision: who, what, when, and the whole board as it then was.
-- The snapshot is what undo and restore go back to, and what a TV is sent for that version
-- (built once per version, however many TVs ask).

CREATE TABLE menu_revisions (
    venue_id bigint NOT NULL,
    menu_id bigint NOT NULL,
    version bigint NOT NULL,
    summary text NOT NULL CHECK (length(summary) <= 300),
    kind text NOT NULL DEFAULT 'edit' CHECK (kind IN ('create', 'edit', 'undo', 'restore')),
    -- Set on an edit once an undo has reverted it, so the next undo goes one step further back.
    undone boolean NOT NULL DEFAULT false,
    actor_user_id bigint REFERENCES users ON DELETE SET NULL,
    actor_token_id bigint REFERENCES api_tokens ON DELETE SET NULL,
    snapshot jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (menu_id, version),
    FOREIGN KEY (venue_id, menu_id) REFERENCES menus (venue_id, id) ON DELETE CASCADE
);
CREATE INDEX menu_revisions_venue_idx ON menu_revisions (venue_id, menu_id, version DESC);

-- Beverages are edited from several menus and the API at once: they carry their own version.
ALTER TABLE beverages ADD COLUMN version bigint NOT NULL DEFAULT 1 CHECK (version >= 1);
