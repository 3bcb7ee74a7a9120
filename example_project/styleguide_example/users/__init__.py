"""User flows built on Django's auth User (onboarding)."""
