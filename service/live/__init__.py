"""Live push: one LISTEN connection per process, and the TVs' WebSockets."""
