"""Adapters at the edge: calendar files, mail and SMS delivery."""
