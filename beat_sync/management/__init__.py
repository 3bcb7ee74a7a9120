"""The `beat_sync` app's management commands (commands/) and their shared base (base.py)."""
