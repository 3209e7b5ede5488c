-- Images: uploaded once, validated and re-encoded into a few widths, stored in the blob store
-- (S3 or a local directory) under content-addressed keys, used as a beverage's image, the
-- venue's logo, or a display's background or logo.
--
-- An image in use cannot be deleted: the plain foreign keys below refuse it (the app checks
-- first and says where it is used). Display themes refer to images by URL (docs/protocol.md),
-- so the app looks there too before deleting.

CREATE TABLE images (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    venue_id bigint NOT NULL REFERENCES venues ON DELETE CASCADE,
    -- SHA-256 of the bytes as uploaded: the same file uploaded twice is the same image.
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    name text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    -- What Pillow decoded it as (never the filename or the Content-Type it came with).
    format text NOT NULL CHECK (format IN ('jpeg', 'png', 'webp', 'gif')),
    width integer NOT NULL CHECK (width > 0),
    height integer NOT NULL CHECK (height > 0),
    upload_bytes bigint NOT NULL CHECK (upload_bytes > 0),
    -- The sum of the variants' sizes: what counts against the venue's quota.
    stored_bytes bigint NOT NULL CHECK (stored_bytes > 0),
    -- [{"width", "height", "bytes", "key", "url", "content_type"}], narrowest first.
    variants jsonb NOT NULL CHECK (jsonb_typeof(variants) = 'array'),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (venue_id, id),
    UNIQUE (venue_id, sha256)
);
CREATE INDEX images_venue_idx ON images (venue_id, created_at DESC);

ALTER TABLE beverages ADD COLUMN image_id bigint;
ALTER TABLE beverages
    ADD CONSTRAINT beverages_image_fkey
    FOREIGN KEY (venue_id, image_id) REFERENCES images (venue_id, id);
CREATE INDEX beverages_image_idx ON beverages (venue_id, image_id) WHERE image_id IS NOT NULL;

ALTER TABLE venues ADD COLUMN logo_image_id bigint;
ALTER TABLE venues
    ADD CONSTRAINT venues_logo_image_fkey
    FOREIGN KEY (id, logo_image_id) REFERENCES images (venue_id, id);
