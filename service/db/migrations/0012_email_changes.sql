-- Changing a signed-in person's email: a link mailed to the new address confirms it. Like
-- password resets, only the SHA-256 of the token is kept; a link works once, for a day.
CREATE TABLE email_changes (
    token_hash bytea PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    new_email text NOT NULL CHECK (new_email = lower(new_email) AND length(new_email) <= 254),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX email_changes_user_idx ON email_changes (user_id, created_at DESC);
