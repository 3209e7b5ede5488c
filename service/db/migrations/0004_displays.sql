-- Displays (TVs) and the codes that pair them.
--
-- A TV that is not paired shows a short code; staff type it in the editor, which creates the
-- display with no token yet. The server process holding that TV's socket then mints the
-- token, stores only its hash here and sends the token over the socket: the token itself
-- never sits in the database or in a NOTIFY payload.

CREATE TABLE displays (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    venue_id bigint NOT NULL REFERENCES venues ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    menu_id bigint,
    orientation text NOT NULL DEFAULT 'landscape' CHECK (orientation IN ('landscape', 'portrait')),
    -- Board layout: columns, taps per page, rotation, fonts, colours, which fields to show.
    theme jsonb NOT NULL DEFAULT '{}',
    token_hash bytea UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- What the TV reports: when it was last connected, its app version and screen size.
    last_seen_at timestamptz,
    app_version text NOT NULL DEFAULT '' CHECK (length(app_version) <= 40),
    screen text NOT NULL DEFAULT '' CHECK (length(screen) <= 20),
    revoked_at timestamptz,
    UNIQUE (venue_id, id),
    FOREIGN KEY (venue_id, menu_id) REFERENCES menus (venue_id, id) ON DELETE SET NULL (menu_id)
);
CREATE INDEX displays_venue_idx ON displays (venue_id);
CREATE INDEX displays_menu_idx ON displays (menu_id);

CREATE TABLE pairing_codes (
    code text PRIMARY KEY CHECK (code ~ '^[A-Z2-9]{6}$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    -- Set when staff claim the code: the display it became, in that venue.
    venue_id bigint REFERENCES venues ON DELETE CASCADE,
    display_id bigint REFERENCES displays ON DELETE CASCADE,
    claimed_at timestamptz
);
CREATE INDEX pairing_codes_expiry_idx ON pairing_codes (expires_at);
