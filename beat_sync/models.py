"""The `beat_sync` app's tables: which PeriodicTask rows beat-sync manages, and each apply.

`ManagedTask` is one row per managed periodic task, by name: where the manifest declares it and
the state apply wrote (`beat_sync.ownership` encodes and reads it). `manage = "owned"` touches
only these rows; drift is a managed row that no longer holds what was applied; the admin marks
them. Every apply that writes rewrites the whole set in a constant number of statements.

`ApplyRecord` is one row per apply that wrote something (or switched environments): when, in
which mode and environment (blank for the base, no --env), and the plan's summary. beat-sync
itself only appends to it; the newest row's `environment` is the one apply guards
(docs/environments.md).

No import of django_celery_beat here (beat_sync.tables is its only importer): the rows are
joined to PeriodicTask by name.
"""

from django.db import models


class ManagedTask(models.Model):
    name = models.CharField(max_length=200, unique=True)  # PeriodicTask.name
    # "schedules/emails.yaml:12"; "" for a task removed from the manifest and kept disabled
    source = models.TextField(blank=True)
    digest = models.CharField(max_length=64)  # SHA-256 of `applied`
    applied = models.TextField()  # JSON: the columns and schedule apply wrote
    retired = models.BooleanField(default=False)  # on_remove = "disable" kept it, disabled

    class Meta:
        verbose_name = "task managed by beat-sync"
        verbose_name_plural = "tasks managed by beat-sync"

    def __str__(self) -> str:
        return f"{self.name} ({self.source or 'removed from the manifest'})"


class ApplyRecord(models.Model):
    applied_at = models.DateTimeField()
    manage = models.CharField(max_length=16)  # "all" | "owned"
    on_remove = models.CharField(max_length=16)  # "delete" | "disable"
    environment = models.CharField(max_length=100, blank=True)
    summary = models.TextField()  # the plan's summary line

    class Meta:
        ordering = ("-applied_at", "-id")

    def __str__(self) -> str:
        return f"{self.applied_at:%Y-%m-%d %H:%M:%S} {self.manage}: {self.summary}"
