"""Beverages, serving sizes and menus (sections of entries with prices)."""
