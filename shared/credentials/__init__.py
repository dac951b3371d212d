"""Credentials: one verifiable PDF certificate per completed course version, revocation, public verification."""
