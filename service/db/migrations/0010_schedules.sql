-- Schedules (issue #16): day-parts, what they change, and menu changes planned ahead.
--
-- Expand only: new tables; nothing existing changes. Every reference between venue data
-- goes through a composite (venue_id, id) key, as everywhere else.

-- A named set of weekly windows in the venue's timezone ("Happy hour" Mon-Fri 16-18).
-- `windows` is [{"days": ["mon", ...], "start": "16:00", "end": "18:00", "overnight": false}],
-- validated by schedules/forms.py (and read by schedules/clock.py).
CREATE TABLE dayparts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    venue_id bigint NOT NULL REFERENCES venues ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
    windows jsonb NOT NULL CHECK (jsonb_typeof(windows) = 'array'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (venue_id, id)
);
CREATE UNIQUE INDEX dayparts_venue_name_key ON dayparts (venue_id, lower(name));

-- An entry's price for a serving size while the day-part is active (happy-hour prices).
CREATE TABLE daypart_prices (
    venue_id bigint NOT NULL,
    daypart_id bigint NOT NULL,
    entry_id bigint NOT NULL,
    serving_size_id bigint NOT NULL,
    price_minor integer NOT NULL CHECK (price_minor BETWEEN 0 AND 100000000),
    PRIMARY KEY (daypart_id, entry_id, serving_size_id),
    FOREIGN KEY (venue_id, daypart_id) REFERENCES dayparts (venue_id, id) ON DELETE CASCADE,
    FOREIGN KEY (venue_id, entry_id) REFERENCES menu_entries (venue_id, id) ON DELETE CASCADE,
    FOREIGN KEY (venue_id, serving_size_id) REFERENCES serving_sizes (venue_id, id)
        ON DELETE CASCADE
);
CREATE INDEX daypart_prices_entry_idx ON daypart_prices (venue_id, entry_id);

-- Whether an entry or a section shows: 'only' while the day-part is active (brunch
-- cocktails), or 'hidden' while it is (no food late).
CREATE TABLE daypart_visibility (
    venue_id bigint NOT NULL,
    daypart_id bigint NOT NULL,
    section_id bigint,
    entry_id bigint,
    shows text NOT NULL CHECK (shows IN ('only', 'hidden')),
    CHECK ((section_id IS NULL) <> (entry_id IS NULL)),
    FOREIGN KEY (venue_id, daypart_id) REFERENCES dayparts (venue_id, id) ON DELETE CASCADE,
    FOREIGN KEY (venue_id, section_id) REFERENCES menu_sections (venue_id, id) ON DELETE CASCADE,
    FOREIGN KEY (venue_id, entry_id) REFERENCES menu_entries (venue_id, id) ON DELETE CASCADE,
    UNIQUE (daypart_id, section_id),
    UNIQUE (daypart_id, entry_id)
);
CREATE INDEX daypart_visibility_section_idx ON daypart_visibility (venue_id, section_id);
CREATE INDEX daypart_visibility_entry_idx ON daypart_visibility (venue_id, entry_id);

-- A one-off change to a menu at a set time; also the runner's job queue: a task claims a
-- due row with FOR UPDATE SKIP LOCKED and applies it in the same transaction that marks it
-- done, so however many tasks run, each change is applied once.
-- `change` is {"entry_id": 12, "patch": {...}} (an entry's fields and prices, as PATCH
-- /entries/{id} takes them) or {"rename": "Summer menu"}.
CREATE TABLE planned_changes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    venue_id bigint NOT NULL,
    menu_id bigint NOT NULL,
    run_at timestamptz NOT NULL,
    change jsonb NOT NULL CHECK (jsonb_typeof(change) = 'object'),
    -- Who planned it, for the history line "scheduled by <name>".
    planned_by text NOT NULL CHECK (length(planned_by) BETWEEN 1 AND 200),
    actor_user_id bigint REFERENCES users ON DELETE SET NULL,
    actor_token_id bigint REFERENCES api_tokens ON DELETE SET NULL,
    state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    -- The menu version it made, or why it could not be made.
    applied_version bigint,
    outcome text NOT NULL DEFAULT '' CHECK (length(outcome) <= 500),
    applied_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (venue_id, menu_id) REFERENCES menus (venue_id, id) ON DELETE CASCADE,
    UNIQUE (venue_id, id)
);
CREATE INDEX planned_changes_due_idx ON planned_changes (run_at) WHERE state = 'pending';
CREATE INDEX planned_changes_venue_idx ON planned_changes (venue_id, run_at);
