"""Notifications: what a user is told (certificates, videos, assignments, grades), read state, and a stream."""
