"""Users, sign-in sessions, CSRF protection and sign-in throttling."""
