"""Mail: password resets and invites go out through a `Mailer` chosen by settings."""
