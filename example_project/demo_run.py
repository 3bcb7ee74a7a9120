"""`make demo-run`: a periodic task applied by beat-sync sends an email, with a real Celery worker
and beat, on a laptop with nothing installed (SQLite in var/, kombu's filesystem broker in
var/broker/, Django's file email backend writing to var/emails/).

1. migrate; `beat-sync diff` and `beat-sync apply` the repository's schedules/ as environment
   `development` (schedules/env/development/: every task off but "Send pending emails", on and
   every 5 seconds);
2. create a pending email; start `celery worker` and `celery beat` in the background;
3. wait (at most 30 s) until beat's run of the task has sent it; print the Email row and the
   message the email backend wrote;
4. stop worker and beat (SIGTERM, as Ctrl-C would), and apply schedules/ again (the base) so the
   database is back to what the repository says. Exit status 0 only if the email was sent.

Both applies pass --allow-env-switch: var/'s database is the README tour's too, applied as the
base there (docs/environments.md: the environment guard).
"""

from __future__ import annotations

import email
import email.policy
import os
import subprocess
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent
REPO = PROJECT_DIR.parent
sys.path.insert(0, str(PROJECT_DIR))

from background import logs_tail, start_beat, start_worker, wait_until  # noqa: E402

BEAT_SYNC = Path(sys.executable).with_name("beat-sync")
TASK_NAME = "Send pending emails"
DEMO_ENV = "development"  # schedules/env/development/
DELIVERY_TIMEOUT = 30


def step(text: str) -> None:
    print(f"\n== {text}", flush=True)


def beat_sync(*args: str) -> None:
    """Run the `beat-sync` CLI from the repository root (its pyproject.toml configures it)."""
    print(f"$ beat-sync {' '.join(args)}", flush=True)
    completed = subprocess.run([str(BEAT_SYNC), *args, "--no-color"], cwd=REPO, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"demo-run: beat-sync {args[0]} failed (exit {completed.returncode})")


def delivered_message(outbox: Path, subject: str) -> str | None:
    """The message with `subject` that Django's file backend wrote, headers and plain text."""
    for file in sorted(outbox.glob("*.log"), reverse=True):
        message = email.message_from_bytes(file.read_bytes(), policy=email.policy.default)
        if message["Subject"] == subject:
            headers = "\n".join(f"{key}: {message[key]}" for key in ("From", "To", "Subject"))
            return f"{file}\n{headers}\n\n{message.get_body(('plain',)).get_content().strip()}"
    return None


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from styleguide_example.emails.models import Email
    from styleguide_example.emails.services import email_create

    var = Path(settings.VAR_DIR)
    outbox = Path(settings.EMAIL_FILE_PATH)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"broker:   {settings.CELERY_BROKER_URL}   emails: {settings.EMAIL_BACKEND} -> {outbox}")

    step("migrate")
    call_command("migrate", interactive=False, verbosity=0)

    step(f"apply environment {DEMO_ENV!r}: every task off but {TASK_NAME!r}, every 5 seconds")
    beat_sync("diff", "--env", DEMO_ENV)
    beat_sync("apply", "--env", DEMO_ENV, "--allow-env-switch")

    step("a pending email")
    pending = email_create(
        to="ana@example.com",
        subject=f"Welcome, Ana ({time.strftime('%H:%M:%S')})",
        html="<p>Hello <b>Ana</b>, welcome aboard.</p>",
        plain_text="Hello Ana, welcome aboard.",
    )
    print(f"Email #{pending.pk} {pending.subject!r} to {pending.to}: {pending.status}")

    step("start celery worker and celery beat (logs in var/demo-logs/)")
    logs = var / "demo-logs"
    logs.mkdir(exist_ok=True)
    env = dict(os.environ)
    started = time.monotonic()
    # --purge: messages left in the filesystem queue by an earlier run are not this demo's
    worker = start_worker(env=env, log_path=logs / "worker.log", purge=True)
    beat = start_beat(env=env, log_path=logs / "beat.log")
    processes = (worker, beat)
    sent = False
    try:
        wait_until(
            lambda: Email.objects.filter(pk=pending.pk, status=Email.Status.SENT).exists(),
            timeout=DELIVERY_TIMEOUT,
            what=f"Email #{pending.pk} sent by the periodic task",
            processes=processes,
            interval=0.5,
        )
        sent = True
        took = time.monotonic() - started
        pending.refresh_from_db()
        step(f"sent {took:.1f} s after starting worker and beat")
        print(f"Email #{pending.pk}: {pending.status} at {pending.sent_at:%H:%M:%S}")
        for line in beat.log().splitlines():
            if "Sending due task" in line:
                print(f"beat:   {line}")
                break
        for line in worker.log().splitlines():
            if "email_send_pending" in line and "'sent': 1" in line:
                print(f"worker: {line}")
        print(f"\ndelivered message: {delivered_message(outbox, pending.subject)}")
    except TimeoutError as exc:
        print(f"demo-run: {exc}", file=sys.stderr)
    finally:
        step("stop worker and beat")
        for background in processes:
            print(f"{background.name}: stopped (exit {background.stop()})")
        if not sent:
            print(logs_tail(processes), file=sys.stderr)

    step("apply schedules/ again: the database back to the base the repository says")
    beat_sync("apply", "--allow-env-switch")
    return 0 if sent else 1


if __name__ == "__main__":
    sys.exit(main())
