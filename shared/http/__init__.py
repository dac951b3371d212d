"""The HTTP edge: app factory, problem+json, middleware, dependencies."""
