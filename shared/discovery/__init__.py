"""Discovery: full-text search over a tenant's published courses, fed by the catalog's change feed."""
