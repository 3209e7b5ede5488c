"""Promo slides: pictures and short texts TVs show between their menu pages (docs/tv.md)."""
