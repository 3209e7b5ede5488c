"""Web plumbing shared by every domain: routing with access control, pages, errors, headers."""
