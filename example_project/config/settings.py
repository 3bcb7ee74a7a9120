"""Settings of the beat-sync example project (HackSoft Django Styleguide layout).

Everything that differs between a laptop, CI and production comes from the environment:
  DATABASE_URL        default: SQLite file example_project/var/db.sqlite3 (read by
                      dj-database-url: sqlite:///relative/path, sqlite:////absolute/path,
                      postgres://user:password@host:port/name?sslmode=require, ...)
  CELERY_BROKER_URL   default: kombu's filesystem transport in example_project/var/broker/
  EMAIL_BACKEND       default: Django's file backend writing to EMAIL_FILE_PATH
  EMAIL_FILE_PATH     default: example_project/var/emails/
  BEAT_SYNC_SQLITE_TEST_NAME  a file for the SQLite *test* database instead of memory, so that a
                      worker or beat started by a test as a separate process can open it.
Tests always use Django's locmem email backend (the test runner swaps it in).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent  # example_project/
VAR_DIR = BASE_DIR / "var"  # runtime files (database, broker, emails); ignored by git

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-example-key-do-not-use-in-production")
DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",  # the admin's CSS and JS (runserver, the browser test)
    "django_celery_beat",
    "beat_sync",
    "styleguide_example.core",
    "styleguide_example.common",
    "styleguide_example.users",
    "styleguide_example.emails",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
    except ValueError as exc:  # its messages never quote the URL, so never its password
        raise ImproperlyConfigured(f"DATABASE_URL is not a usable database URL: {exc}") from None
else:
    VAR_DIR.mkdir(exist_ok=True)  # SQLite creates the file, not its folder
    DATABASES = {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "db.sqlite3")}
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and os.environ.get(
    "BEAT_SYNC_SQLITE_TEST_NAME"
):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["BEAT_SYNC_SQLITE_TEST_NAME"]}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A worker, beat and manage.py write the same file (make demo-run): wait for a lock rather
    # than fail with "database is locked", and take the write lock when a transaction begins,
    # since SQLite cannot wait to upgrade a read lock held by another writer's reader.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Time -----------------------------------------------------------------------------------
# Stated explicitly: a cron in schedules/*.yaml without `timezone` means CELERY_TIMEZONE.
USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = True
LANGUAGE_CODE = "en-us"

STATIC_URL = "static/"

# --- Celery ---------------------------------------------------------------------------------
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic tasks live in schedules/*.yaml and reach the database through `beat-sync apply`;
# a second source here would be written into the same tables by beat on every start.
CELERY_BEAT_SCHEDULE = {}
# No result backend is used. With result_expires set (Celery's default: 1 day) beat would insert
# its own `celery.backend_cleanup` periodic task into django-celery-beat's tables on every start,
# which the manifest does not declare; None keeps the tables exactly what schedules/ says.
CELERY_RESULT_EXPIRES = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # An embedded broker needing no server: every process (producer, worker, beat) reads and
    # writes the same queue folder, so kombu's data_folder_in and data_folder_out are one folder.
    _BROKER_DIR = VAR_DIR / "broker"
    for _folder in ("queue", "control"):
        (_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,  # a consumed message is deleted, not archived
    }

# --- Email ----------------------------------------------------------------------------------
# The file backend lets a test or a person check what a separate worker process sent.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "emails"))
DEFAULT_FROM_EMAIL = "styleguide-example@example.com"
