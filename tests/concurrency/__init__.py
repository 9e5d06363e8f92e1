"""Races against a real multi-process server: no double booking, no ratio write skew."""
