-- Promo slides: a picture (from the media library) or a short text that TVs show between
-- their menu pages, each for its own number of seconds, on the displays chosen for it, and
-- only from starts_on to ends_on (days in the venue's own calendar; the TV checks its date,
-- so a slide starts on its day even offline). docs/tv.md, "Promo slides".

CREATE TABLE promo_slides (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    venue_id bigint NOT NULL REFERENCES venues ON DELETE CASCADE,
    title text NOT NULL DEFAULT '' CHECK (length(title) <= 80),
    body text NOT NULL DEFAULT '' CHECK (length(body) <= 280),
    image_id bigint,
    seconds integer NOT NULL DEFAULT 10 CHECK (seconds BETWEEN 3 AND 60),
    starts_on date,
    ends_on date CHECK (ends_on >= starts_on),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (image_id IS NOT NULL OR title <> ''),
    UNIQUE (venue_id, id),
    -- An image a slide shows cannot be deleted (media says where it is used).
    FOREIGN KEY (venue_id, image_id) REFERENCES images (venue_id, id)
);
CREATE INDEX promo_slides_venue_idx ON promo_slides (venue_id);

CREATE TABLE promo_slide_displays (
    venue_id bigint NOT NULL,
    slide_id bigint NOT NULL,
    display_id bigint NOT NULL,
    PRIMARY KEY (slide_id, display_id),
    FOREIGN KEY (venue_id, slide_id) REFERENCES promo_slides (venue_id, id) ON DELETE CASCADE,
    FOREIGN KEY (venue_id, display_id) REFERENCES displays (venue_id, id) ON DELETE CASCADE
);
CREATE INDEX promo_slide_displays_display_idx ON promo_slide_displays (display_id);
