"""The learning platform: bounded contexts, the platform ports and adapters, and the HTTP API."""
