"""Shared model base class and generic services (model_update)."""
