-- Embeds (issue #6): a public id per menu, a per-venue framing allowlist, and staff-only
-- notes on entries.
--
-- Expand only: every column has a default, so code that does not know them keeps working.

-- The menu's public address (/embed/<id>, /m/<id>, the public JSON): 16 random bytes,
-- URL-safe base64 without padding (22 characters). Rotating it (a new random value) makes
-- every old link answer 404. gen_random_uuid() draws from the server's strong random source
-- (122 random bits); the app rotates with 128-bit `secrets.token_urlsafe(16)`.
ALTER TABLE menus ADD COLUMN public_id text NOT NULL
    DEFAULT rtrim(translate(encode(uuid_send(gen_random_uuid()), 'base64'), '+/', '-_'), '=')
    CHECK (public_id ~ '^[A-Za-z0-9_-]{22,64}$');
CREATE UNIQUE INDEX menus_public_id_key ON menus (public_id);

-- Which sites may frame this venue's embeds (CSP frame-ancestors). Empty: any site.
-- Entries are normalized origins: https://example.com, https://*.example.com, http://host:port.
ALTER TABLE venues ADD COLUMN embed_origins text[] NOT NULL DEFAULT '{}'
    CHECK (cardinality(embed_origins) <= 20);

-- A note for staff only ("keg in the walk-in, back left"). Never part of the board, which
-- TVs, embeds and the public JSON show.
ALTER TABLE menu_entries ADD COLUMN private_note text NOT NULL DEFAULT ''
    CHECK (length(private_note) <= 500);
