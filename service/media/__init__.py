"""Images: uploads validated and re-encoded, stored in S3 or a local directory (docs/media.md)."""
