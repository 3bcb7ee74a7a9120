"""The manifest core runs without Django: no Django import on import, no settings to load."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.processes import user_env

ROOT = Path(__file__).resolve().parents[3]


def run(code: str) -> str:
    env = user_env()
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_importing_the_core_does_not_import_django():
    out = run(
        "import sys, beat_sync.manifest, beat_sync.normalise, beat_sync.manifest.schema\n"
        "print(sorted(m for m in sys.modules\n"
        "             if m == 'django' or m.startswith(('django.', 'django_'))))"
    )
    assert out == "[]"


def test_loading_and_normalising_need_no_settings_app_or_database():
    # kombu (under celery.schedules, the crontab parser) imports django.utils.functional when
    # Django is installed; nothing configures Django, its apps or a database connection.
    out = run(
        "import sys\n"
        "from pathlib import Path\n"
        "from beat_sync.manifest import load_manifest\n"
        "from beat_sync.normalise import normalise\n"
        "result = load_manifest([Path('schedules')])\n"
        "assert result.ok, result.errors\n"
        "states = normalise(result.specs, 'UTC')\n"
        "loaded = [m for m in ('django.conf', 'django.db', 'django.apps', 'django_celery_beat') "
        "if m in sys.modules]\n"
        "print(len(states) == len(result.specs) > 0, loaded)"
    )
    assert out == "True []"
