"""Audit: an append-only record of sensitive changes (who, what, before, after, why)."""
