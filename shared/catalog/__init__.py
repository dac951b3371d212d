"""The catalog context: draft courses, immutable published versions, learning paths."""
