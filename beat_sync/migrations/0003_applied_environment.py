"""The environment last applied (beat_sync.models.AppliedEnvironment, docs/environments.md)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("beat_sync", "0002_ownership")]

    operations = [
        migrations.CreateModel(
            name="AppliedEnvironment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("environment", models.CharField(blank=True, max_length=100)),
                ("applied_at", models.DateTimeField()),
            ],
            options={"verbose_name": "environment applied by beat-sync"},
        ),
    ]
