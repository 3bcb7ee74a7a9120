"""Creates django-celery-beat's change-marker row at migrate time, before beat first starts.

A running DatabaseScheduler reloads when `PeriodicTasks.last_update` moves, but it compares
against the value it saw before, and with no row there is none to compare against: the first
marker it ever sees counts as "no change". Without this row, a beat started on a fresh database
would not notice the first `beat-sync apply` until its periodic full reload (5 minutes).
"""

from django.db import migrations
from django.utils import timezone


def create_change_marker(apps, schema_editor):
    marker = apps.get_model("django_celery_beat", "PeriodicTasks")
    marker.objects.using(schema_editor.connection.alias).get_or_create(
        ident=1, defaults={"last_update": timezone.now()}
    )


class Migration(migrations.Migration):
    dependencies = [("django_celery_beat", "0001_initial")]

    operations = [migrations.RunPython(create_change_marker, migrations.RunPython.noop)]
