"""Reporting: per-course read models kept current from events, served as instructor reports."""
