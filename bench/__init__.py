"""Benchmarks (not tests): scripts that print figures. See docs/benchmarks.md."""
