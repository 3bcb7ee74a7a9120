"""Outgoing emails: the Email model, sending services, Celery tasks and periodic upkeep."""
