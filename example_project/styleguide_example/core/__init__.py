"""Project-wide building blocks without models (exceptions)."""
