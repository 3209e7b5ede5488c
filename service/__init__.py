"""Chalkboard: the live digital tap list for bars and breweries."""
