"""Fault tests: the site under worker deaths, reordered and duplicated events. Each test has a positive control."""
