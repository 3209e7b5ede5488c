"""The TV app (tv-client/) as served at /tv, and the pairing QR codes it shows."""
