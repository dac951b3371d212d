"""Enrollment: who takes which course on which pinned version; assignment, CSV import, purchases."""
