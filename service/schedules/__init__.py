"""Schedules: weekly day-parts (happy hour, brunch, late) and changes planned ahead."""
