-- Beverages, serving sizes, and menus made of ordered sections of ordered entries.
--
-- Every table carries venue_id, and every reference between them goes through a composite
-- (venue_id, id) foreign key: the database itself refuses to put one venue's beverage on
-- another venue's menu. Positions are dense (0..n-1) and unique per parent; the unique
-- constraints are deferred so a reorder can move several rows inside one transaction.

CREATE TABLE serving_sizes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    venue_id bigint NOT NULL REFERENCES venues ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
    volume_ml numeric(8, 1) CHECK (volume_ml > 0),
    position integer NOT NULL CHECK (position >= 0),
    UNIQUE (venue_id, id),
    CONSTRAINT serving_sizes_position_key UNIQUE (venue_id, position) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE beverages (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    venue_id bigint NOT NULL REFERENCES venues ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    producer text NOT NULL DEFAULT '' CHECK (length(producer) <= 120),
    style text NOT NULL DEFAULT '' CHECK (length(style) <= 80),
    kind text NOT NULL DEFAULT 'beer' CHECK (
        kind IN ('beer', 'cider', 'mead', 'seltzer', 'wine', 'cocktail', 'non_alcoholic', 'food', 'other')
    ),
    abv numeric(4, 2) CHECK (abv BETWEEN 0 AND 99.99),
    ibu smallint CHECK (ibu BETWEEN 0 AND 999),
    srm numeric(4, 1) CHECK (srm BETWEEN 0 AND 100),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    tags text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 10),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (venue_id, id)
);
CREATE INDEX beverages_venue_name_idx ON beverages (venue_id, lower(name));

CREATE TABLE menus (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    venue_id bigint NOT NULL REFERENCES venues ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    -- Bumped by every change, in the change's own transaction: the truth TVs resync against.
    version bigint NOT NULL DEFAULT 1 CHECK (version >= 1),
    position integer NOT NULL CHECK (position >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (venue_id, id)
);

CREATE TABLE menu_sections (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    venue_id bigint NOT NULL,
    menu_id bigint NOT NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    -- 'taps' sections number their entries by tap; 'list' sections (cans, food) do not.
    kind text NOT NULL DEFAULT 'taps' CHECK (kind IN ('taps', 'list')),
    position integer NOT NULL CHECK (position >= 0),
    FOREIGN KEY (venue_id, menu_id) REFERENCES menus (venue_id, id) ON DELETE CASCADE,
    UNIQUE (venue_id, id),
    CONSTRAINT menu_sections_position_key UNIQUE (menu_id, position) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE menu_entries (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    venue_id bigint NOT NULL,
    section_id bigint NOT NULL,
    beverage_id bigint NOT NULL,
    position integer NOT NULL CHECK (position >= 0),
    tap_label text NOT NULL DEFAULT '' CHECK (length(tap_label) <= 12),
    status text NOT NULL DEFAULT 'on_tap' CHECK (status IN ('on_tap', 'on_deck', 'kicked', 'hidden')),
    -- Keg level: a percentage, or a remaining volume out of a keg size (from a flow meter).
    keg_percent numeric(5, 2) CHECK (keg_percent BETWEEN 0 AND 100),
    keg_size_ml integer CHECK (keg_size_ml > 0),
    keg_remaining_ml integer CHECK (keg_remaining_ml >= 0),
    note text NOT NULL DEFAULT '' CHECK (length(note) <= 200),
    FOREIGN KEY (venue_id, section_id) REFERENCES menu_sections (venue_id, id) ON DELETE CASCADE,
    FOREIGN KEY (venue_id, beverage_id) REFERENCES beverages (venue_id, id) ON DELETE RESTRICT,
    UNIQUE (venue_id, id),
    CONSTRAINT menu_entries_position_key UNIQUE (section_id, position) DEFERRABLE INITIALLY DEFERRED,
    CHECK (keg_remaining_ml IS NULL OR keg_size_ml IS NULL OR keg_remaining_ml <= keg_size_ml)
);
CREATE INDEX menu_entries_beverage_idx ON menu_entries (venue_id, beverage_id);

-- Prices are exact: integer minor units (cents) of the venue's currency, never floats.
CREATE TABLE entry_prices (
    venue_id bigint NOT NULL,
    entry_id bigint NOT NULL,
    serving_size_id bigint NOT NULL,
    price_minor integer NOT NULL CHECK (price_minor BETWEEN 0 AND 100000000),
    PRIMARY KEY (entry_id, serving_size_id),
    FOREIGN KEY (venue_id, entry_id) REFERENCES menu_entries (venue_id, id) ON DELETE CASCADE,
    FOREIGN KEY (venue_id, serving_size_id) REFERENCES serving_sizes (venue_id, id) ON DELETE CASCADE
);
