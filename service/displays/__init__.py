"""Displays (the bar's TVs): settings, pairing, revocation."""
