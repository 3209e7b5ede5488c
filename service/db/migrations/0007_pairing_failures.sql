-- Wrong pairing codes, counted per user and per venue: guessing the code another bar's TV
-- shows must run into a limit long before it could succeed.
CREATE TABLE pairing_failures (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    venue_id bigint NOT NULL REFERENCES venues ON DELETE CASCADE,
    failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pairing_failures_user_idx ON pairing_failures (user_id, failed_at);
CREATE INDEX pairing_failures_venue_idx ON pairing_failures (venue_id, failed_at);
