"""The `beat_sync` app's own table: which environment was last applied to this database.

One row at most (id 1): `environment` is blank for the base (no --env). apply reads it under
its lock and refuses another environment unless told (docs/environments.md); diff warns.
"""

from django.db import models


class AppliedEnvironment(models.Model):
    environment = models.CharField(max_length=100, blank=True)  # "" = the base
    applied_at = models.DateTimeField()

    class Meta:
        verbose_name = "environment applied by beat-sync"

    def __str__(self) -> str:
        return self.environment or "base"
