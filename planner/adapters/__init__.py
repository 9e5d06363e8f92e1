"""Thin adapters to the world outside: calendar files, mail and SMS."""
