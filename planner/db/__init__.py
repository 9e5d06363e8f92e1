"""Persistence: models, unit of work, locks, and read-side queries."""
