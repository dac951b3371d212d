"""Tenancy: tenants (branding, feature flags, K-12 setting), users and role assignments."""
