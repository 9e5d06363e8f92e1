"""Reproducible benchmarks that print their figures (see docs/performance.md)."""
