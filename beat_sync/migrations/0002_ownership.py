"""The ownership record (beat_sync.models): ManagedTask, one row per periodic task beat-sync
manages, and ApplyRecord, one row per apply that wrote (its `environment` kept for later)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("beat_sync", "0001_change_marker"),
    ]

    operations = [
        migrations.CreateModel(
            name="ApplyRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("applied_at", models.DateTimeField()),
                ("manage", models.CharField(max_length=16)),
                ("on_remove", models.CharField(max_length=16)),
                ("environment", models.CharField(blank=True, max_length=100)),
                ("summary", models.TextField()),
            ],
            options={
                "ordering": ("-applied_at", "-id"),
            },
        ),
        migrations.CreateModel(
            name="ManagedTask",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200, unique=True)),
                ("source", models.TextField(blank=True)),
                ("digest", models.CharField(max_length=64)),
                ("applied", models.TextField()),
                ("retired", models.BooleanField(default=False)),
            ],
            options={
                "verbose_name": "task managed by beat-sync",
                "verbose_name_plural": "tasks managed by beat-sync",
            },
        ),
    ]
