"""Benchmarks of the article page and of posting, against discussion size (issue #7)."""
