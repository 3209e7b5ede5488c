"""Venues (bars), who belongs to them, and invitations to join."""
