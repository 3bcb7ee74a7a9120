"""beat_sync.tables against a real database (SQLite and PostgreSQL): read, apply, lock, rollback."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beat_sync.errors import UserError
from beat_sync.state import CronSchedule, SolarSchedule, TaskState, canonical_json
from beat_sync.tables import apply_plan, read_current_state
from beat_sync.tables.beat import beat_schedule
from styleguide_example.core.management.commands.styleguide_setup_periodic_tasks import (
    setup_periodic_tasks as styleguide_setup_periodic_tasks,
)
from tests.support.samples import PURGE, cron, every_kind, numbered
from tests.support.tables import (
    dump_tables,
    install_beat_default_entries,
    readme_statement_counts,
)

pytestmark = pytest.mark.django_db

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def models():
    from django_celery_beat import models

    return models


def marker():
    return models().PeriodicTasks.last_change()


def sorted_tasks(tasks):
    return tuple(sorted(tasks, key=lambda t: t.name))


def test_every_field_and_schedule_kind_round_trips():
    tasks = every_kind()
    result = apply_plan(tasks)
    assert result.applied
    assert str(result.plan.summary) == "5 to add, 0 to change, 0 to remove, 0 unchanged"
    assert read_current_state().tasks == sorted_tasks(tasks)
    again = apply_plan(tasks)
    assert not again.applied and again.plan.in_sync


def test_awkward_values_round_trip_through_the_bulk_insert():
    # PostgreSQL inserts the rows as one JSON parameter, SQLite as a VALUES list: text that
    # looks like SQL, JSON, placeholders or escapes, characters outside the BMP, microseconds,
    # the columns' extreme numbers and coordinates all come back as they went in.
    texts = [
        "%s %(x)s ?",
        "back\\slash \\u0041 \\n",
        "quote ' and \" and `",
        "🙂 ünï 中文",
        "r->>0 ::json; DROP TABLE x; --",
        "[1, 2]",
        '{"a": 1}',
        " lead/trail ",
    ]
    tasks = [
        TaskState(
            name=f"awkward {i} {text}",
            task=PURGE,
            schedule=SolarSchedule("sunrise", Decimal("-89.999999"), Decimal(f"0.00000{i}"))
            if i % 2
            else cron("*/5 * * * *", "America/St_Johns"),
            args=canonical_json([text, i, None, True, 1.5]),
            kwargs=canonical_json({text: text}),
            headers=canonical_json({"h": text}),
            queue=text,
            exchange=text[:3] or None,
            routing_key=None,
            priority=255 if i % 2 else 0,
            expire_seconds=2_147_483_647 if i % 2 else None,
            start_time=datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=UTC),
            description=text * 50,
        )
        for i, text in enumerate(texts)
    ]
    assert apply_plan(tasks).applied
    assert read_current_state().tasks == sorted_tasks(tasks)
    assert not apply_plan(tasks).applied


TASK_COLUMNS = 23  # a PeriodicTask row with its id (one without: 22)
TASKS_PER_STATEMENT = 5


@pytest.fixture
def sqlite_variable_limit():
    """SQLite's bound-variable limit on the test connection lowered to 5 task rows per INSERT
    (19 crontab rows, 23 ownership rows), restored afterwards."""
    import sqlite3

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's variable limit: PostgreSQL inserts every row in one statement")
    connection.ensure_connection()
    raw = connection.connection
    limit = TASK_COLUMNS * TASKS_PER_STATEMENT
    saved = raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    yield limit
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, saved)


def test_sqlite_inserts_every_batch_when_the_variable_limit_splits_the_rows(
    sqlite_variable_limit,
):
    from beat_sync.models import ManagedTask

    def tasks(count: int, start: int = 0, words: str = "") -> list[TaskState]:
        # a crontab row each, so the schedule insert is split too (19 rows per statement)
        return [
            TaskState(
                name=f"task {i:03d}",
                task=PURGE,
                schedule=cron(f"{i} */2 * * *"),
                description=words,
            )
            for i in range(start, start + count)
        ]

    per = TASKS_PER_STATEMENT
    for size in (per - 1, per, per + 1, 2 * per - 1, 2 * per, 2 * per + 1):
        apply_plan([])
        apply_plan(tasks(size))  # every task new: rows without ids
        # `size` survivors (rows with ids, history kept) and `size` newcomers in one apply
        desired = tasks(size, words="changed") + tasks(size, start=size)
        assert str(apply_plan(desired).plan.summary) == (
            f"{size} to add, {size} to change, 0 to remove, 0 unchanged"
        )
        assert read_current_state().tasks == sorted_tasks(desired), size
        assert models().CrontabSchedule.objects.count() == 2 * size
        assert ManagedTask.objects.count() == 2 * size


def test_rows_written_by_hand_or_the_admin_read_in_canonical_form():
    m = models()
    crontab = m.CrontabSchedule.objects.create(
        minute="0, 30", hour="9", day_of_week="MON-FRI", timezone="Europe/Sofia"
    )
    m.PeriodicTask.objects.create(
        name="by hand", task=PURGE, crontab=crontab, queue="", kwargs='{"b": 1,  "a": 2}'
    )
    (state,) = read_current_state().tasks
    assert state == TaskState(
        name="by hand",
        task=PURGE,
        schedule=CronSchedule("0,30", "9", "*", "*", "mon-fri", "Europe/Sofia"),
        kwargs='{"a": 2, "b": 1}',
    )
    # The same task written the manifest's way is in sync: django-celery-beat's tables are not
    # written; only the ownership record is, once, since the row was not beat-sync's before.
    with CaptureQueriesContext(connection) as queries:
        assert not apply_plan([state]).applied
    written = [q["sql"] for q in queries if WRITE.match(q["sql"])]
    assert written and all("beat_sync_" in sql for sql in written)
    with CaptureQueriesContext(connection) as queries:
        assert not apply_plan([state]).applied
    assert not [q for q in queries if WRITE.match(q["sql"])]


def test_reading_takes_one_query_whatever_the_number_of_tasks():
    for count in (4, 400):
        apply_plan(numbered(count))
        with CaptureQueriesContext(connection) as queries:
            state = read_current_state()
        assert len(state.tasks) == count
        assert len(queries) == 2  # the tasks with their schedules; the ownership records


def apply_queries(tasks, **options) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert apply_plan(tasks, **options).applied
    return [q["sql"] for q in queries]


def test_apply_takes_the_same_number_of_queries_for_10_and_1000_tasks():
    apply_plan(numbered(1))  # the change marker row exists from here on (its first bump inserts)
    counts = {}
    for count in (10, 1000):
        apply_plan([])
        fresh = apply_queries(numbered(count))  # every task added
        changed = apply_queries(numbered(count, minute="30"))  # a quarter changed
        counts[count] = (len(fresh), len(changed))
    assert counts[10] == counts[1000]


@pytest.mark.django_db(transaction=True)  # BEGIN and COMMIT, not savepoints, as README counts
def test_apply_takes_exactly_the_statements_readme_says_at_most_and_for_a_no_op():
    column = {"sqlite": 0, "postgresql": 1}[connection.vendor]
    promised = {key: counts[column] for key, counts in readme_statement_counts().items()}
    apply_plan(every_kind())
    # The most an apply does: it deletes, recreates every schedule kind, keeps the ids of some
    # tasks (one INSERT) and adds others (another INSERT), rewrites the ownership record, and
    # switches the environment; with 10 or 1,000 tasks added alike.
    for count in (10, 1000):
        worst = [replace(t, description=f"{count}") for t in every_kind()] + numbered(count)
        environment = f"env {count}"
        sql = apply_queries(worst, environment=environment, allow_env_switch=True)
        assert len(sql) == promised["most"], sql
        with CaptureQueriesContext(connection) as queries:
            assert not apply_plan(worst, environment=environment).applied
        assert len(queries) == promised["no-op"], [q["sql"] for q in queries]


@pytest.mark.django_db(transaction=True)
def test_the_lock_comes_first_and_the_query_count_holds_in_a_real_transaction():
    apply_plan(numbered(1))
    statements = {}
    for count in (10, 1000):
        apply_plan([])
        sql = apply_queries(numbered(count))
        if sql[0] == "BEGIN":  # psycopg logs the BEGIN that opens the transaction
            sql = sql[1:]
        lock = {"sqlite": "BEGIN IMMEDIATE", "postgresql": "SELECT pg_try_advisory_xact_lock"}
        assert sql[0].startswith(lock[connection.vendor])
        assert "django_celery_beat_periodictask" in sql[1] and sql[1].startswith("SELECT")
        assert sql[-1] == "COMMIT"
        statements[count] = [" ".join(s.split()[:3]) for s in sql]
    assert statements[10] == statements[1000]


def test_an_apply_with_nothing_to_change_writes_nothing():
    tasks = every_kind()
    apply_plan(tasks)
    before, changed_at = dump_tables(), marker()
    with CaptureQueriesContext(connection) as queries:
        result = apply_plan(list(reversed(tasks)))
    assert not result.applied and result.plan.in_sync
    assert [q["sql"] for q in queries if WRITE.match(q["sql"])] == []
    assert dump_tables() == before
    assert marker() == changed_at


def test_the_change_marker_moves_once_on_a_real_change():
    tasks = every_kind()
    apply_plan(tasks)
    first = marker()
    assert first is not None
    changed = [replace(tasks[0], description="new words"), *tasks[1:]]
    sql = apply_queries(changed)
    assert marker() > first
    marker_writes = [s for s in sql if "periodictasks" in s.lower() and WRITE.match(s)]
    assert len(marker_writes) == 1


def test_run_history_ids_and_unchanged_timestamps_survive_an_apply():
    m = models()
    tasks = every_kind()
    apply_plan(tasks)
    ran_at = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    m.PeriodicTask.objects.update(last_run_at=ran_at, total_run_count=41)
    before = {row["name"]: row for row in m.PeriodicTask.objects.values()}

    purge, requeue, pending, sunset, year_end = tasks
    desired = [
        replace(purge, description="changed"),  # changed: history kept, date_changed moves
        requeue,  # unchanged
        pending,  # disabled: no last run, as PeriodicTask.save() does
        replace(sunset, enabled=False),  # changed to disabled
        year_end,
    ]
    apply_plan(desired)
    after = {row["name"]: row for row in m.PeriodicTask.objects.values()}

    assert {n: after[n]["id"] for n in after} == {n: before[n]["id"] for n in before}
    assert {n: after[n]["total_run_count"] for n in after} == dict.fromkeys(after, 41)
    assert after[purge.name]["last_run_at"] == ran_at
    assert after[requeue.name]["last_run_at"] == ran_at
    assert after[pending.name]["last_run_at"] is None
    assert after[sunset.name]["last_run_at"] is None
    assert after[requeue.name]["date_changed"] == before[requeue.name]["date_changed"]
    assert after[purge.name]["date_changed"] > before[purge.name]["date_changed"]


def test_identical_schedules_share_one_row():
    tasks = numbered(40)  # ten of each kind, all with the same schedule per kind
    apply_plan(tasks)
    m = models()
    assert [
        m.CrontabSchedule.objects.count(),
        m.IntervalSchedule.objects.count(),
        m.SolarSchedule.objects.count(),
        m.ClockedSchedule.objects.count(),
    ] == [1, 1, 1, 1]


def test_database_scheduler_loads_every_applied_task_with_its_schedule():
    import json

    from django_celery_beat.schedulers import DatabaseScheduler

    from beat_sync.project import celery_app

    # A clocked task is loaded only within 5 minutes of its time: put it just past.
    now = datetime.now(UTC).replace(microsecond=0)
    tasks = [replace(t, enabled=True) for t in every_kind(clocked_time=now - timedelta(minutes=1))]
    apply_plan(tasks)

    entries = DatabaseScheduler(app=celery_app(), lazy=True).all_as_schedule()

    assert sorted(entries) == sorted(t.name for t in tasks)
    for task in tasks:
        entry = entries[task.name]
        assert entry.task == task.task
        assert entry.schedule == beat_schedule(task.schedule), task.name
        assert entry.args == json.loads(task.args)
        assert entry.kwargs == json.loads(task.kwargs)
        routing = {"queue": task.queue, "exchange": task.exchange, "routing_key": task.routing_key}
        routing["priority"] = task.priority
        for option, value in routing.items():
            assert entry.options.get(option) == value
        assert entry.options["headers"] == {
            **json.loads(task.headers),
            "periodic_task_name": task.name,
        }
        assert entry.options.get("expires") == (task.expires or task.expire_seconds)


# django-celery-beat's DatabaseScheduler loads a cron whose hour is one number only within
# +/- 2 hours of the server's current hour (and at 4, its own cleanup task's hour), converting the
# cron's hour to the server's zone by the zone's offset on 2023-01-01 (enabled_models_qs). These
# zones keep that offset in winter: New York's hour 7 is 12 UTC, Tokyo's 21 is 12 UTC.
ZONE_OFFSETS = {"UTC": 0, "America/New_York": -5, "Asia/Tokyo": 9}
# hours from now (UTC) -> whether DatabaseScheduler loads a cron at that hour now
WINDOW = {-3: False, -2: True, 0: True, 2: True, 3: False, 12: False}


def test_database_scheduler_loads_a_single_hour_cron_only_within_two_hours_of_now():
    from django.utils import timezone
    from django_celery_beat.schedulers import DatabaseScheduler

    from beat_sync.project import celery_app

    for _ in range(2):  # once more if the hour turned meanwhile
        hour = timezone.now().hour
        tasks, loaded = [], set()
        for zone, offset in ZONE_OFFSETS.items():
            for hours_away, inside in WINDOW.items():
                if (hour + hours_away) % 24 == 4 and not inside:
                    continue  # hour 4 (UTC) is always loaded
                name = f"{zone} {hours_away:+d} h"
                local = (hour + hours_away + offset) % 24
                tasks.append(
                    TaskState(name=name, task=PURGE, schedule=cron(f"0 {local} * * *", zone))
                )
                if inside:
                    loaded.add(name)
        apply_plan(tasks)
        entries = DatabaseScheduler(app=celery_app(), lazy=True).all_as_schedule()
        if timezone.now().hour == hour:
            break
    assert sorted(entries) == sorted(loaded)
    for task in tasks:
        if task.name in entries:
            assert entries[task.name].schedule == beat_schedule(task.schedule), task.name


STYLEGUIDE_CRONS = [
    ("Re-queue stuck emails", "email_requeue_stuck", {"minute": "*/15"}, True),
    ("Purge sent emails", "email_purge_sent", {"minute": "30", "hour": "3"}, True),
    ("Send pending emails", "email_send_pending", {"minute": "0", "day_of_week": "1-5"}, False),
]


def styleguide_periodic_tasks_data() -> list[dict]:
    """The styleguide command's `periodic_tasks_data`, with this test's tasks."""
    from styleguide_example.emails import tasks as email_tasks

    full_cron = {"minute": "*", "hour": "*", "day_of_week": "*", "day_of_month": "*"}
    full_cron["month_of_year"] = "*"
    return [
        {
            "task": getattr(email_tasks, task),
            "name": name,
            "cron": {**full_cron, **fields},
            "enabled": enabled,
        }
        for name, task, fields, enabled in STYLEGUIDE_CRONS
    ]


def task_rows() -> list[dict]:
    """PeriodicTask rows with their crontab's fields, ids and timestamps aside."""
    m = models()
    rows = []
    for task in m.PeriodicTask.objects.select_related("crontab").order_by("name"):
        row = {k: v for k, v in vars(task).items() if not k.startswith("_")}
        for key in ("id", "crontab_id", "date_changed"):
            del row[key]
        crontab = {k: v for k, v in vars(task.crontab).items() if not k.startswith("_")}
        del crontab["id"]
        rows.append({**row, "crontab": crontab})
    return rows


def test_apply_writes_the_same_rows_as_the_styleguide_command():
    from beat_sync.manifest import load_manifest_sources
    from beat_sync.normalise import normalise
    from beat_sync.project import default_timezone

    styleguide_setup_periodic_tasks(styleguide_periodic_tasks_data())
    expected = task_rows()

    lines = ["periodic_tasks:"]
    for name, task, fields, enabled in STYLEGUIDE_CRONS:
        lines += [
            f"  - name: {name}",
            f"    task: styleguide_example.emails.tasks.{task}",
            "    cron: {" + ", ".join(f"{k}: '{v}'" for k, v in fields.items()) + "}",
            f"    enabled: {str(enabled).lower()}",
        ]
    manifest = load_manifest_sources([("emails.yaml", "\n".join(lines).encode())])
    assert manifest.ok, manifest.errors
    desired = normalise(manifest.specs, default_timezone())

    assert apply_plan(desired).plan.in_sync  # the styleguide's rows already match
    apply_plan([])
    assert apply_plan(desired).applied
    assert task_rows() == expected


@pytest.mark.django_db(transaction=True)  # apply's own transaction, really rolled back
def test_a_failing_insert_in_the_middle_of_the_recreate_leaves_the_tables_as_before():
    tasks = every_kind()
    apply_plan(tasks)
    models().PeriodicTask.objects.update(total_run_count=3)
    before = dump_tables()
    # Deleting and inserting the schedules succeeds; the PeriodicTask insert then violates
    # the CHECK constraint of a PositiveIntegerField.
    broken = [replace(t, description="changed") for t in tasks[:-1]]
    broken.append(replace(tasks[-1], priority=-1))
    with pytest.raises(
        UserError, match=r"^apply failed on database 'default' .*nothing was changed"
    ):
        apply_plan(broken)
    assert dump_tables() == before


@pytest.mark.django_db(transaction=True)  # apply's own transaction, really rolled back
def test_an_exception_after_every_delete_and_insert_rolls_everything_back():
    from tests.support.tables import dump_ownership

    apply_plan(every_kind())
    models().PeriodicTask.objects.update(total_run_count=3)
    before = dump_tables(), dump_ownership()
    written = []

    def fail(plan):  # apply's before_commit: every row deleted and recreated, the record too
        written.append(len(read_current_state().tasks))
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        apply_plan(numbered(3), before_commit=fail)
    assert written == [3]  # inside the transaction, the new rows were there
    assert (dump_tables(), dump_ownership()) == before


# transaction=True: DatabaseScheduler calls close_old_connections(), which closes a connection
# left inside a test's wrapping transaction.
@pytest.mark.django_db(transaction=True)
def test_rows_beat_writes_itself_are_neither_shown_nor_removed():
    from beat_sync.project import celery_app

    install_beat_default_entries(celery_app())
    m = models()
    cleanup = m.PeriodicTask.objects.get(name="celery.backend_cleanup")

    result = apply_plan(every_kind())
    assert result.applied
    assert result.plan.left_alone == ("celery.backend_cleanup",)
    assert [c.name for c in result.plan.changes if c.action == "remove"] == []
    kept = m.PeriodicTask.objects.get(name="celery.backend_cleanup")
    assert (kept.pk, kept.crontab_id, str(kept.crontab)) == (
        cleanup.pk,
        cleanup.crontab_id,
        "0 4 * * * (m/h/dM/MY/d) UTC",
    )
    # Another beat start changes nothing the next diff would show.
    install_beat_default_entries(celery_app())
    assert apply_plan(every_kind()).plan.in_sync


def test_beat_schedule_names_are_left_alone_when_given():
    m = models()
    apply_plan([TaskState(name="from settings", task=PURGE, schedule=cron("0 6 * * *"))])
    plan = apply_plan(every_kind(), beat_owned={"from settings"}).plan
    assert plan.left_alone == ("from settings",)
    assert m.PeriodicTask.objects.filter(name="from settings").exists()


def test_an_unknown_database_alias_is_one_clear_error():
    with pytest.raises(
        UserError, match=r"^unknown database alias 'nope' \(DATABASES has: default\)$"
    ):
        read_current_state(using="nope")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "reason"),
    [
        ("Mars/Olympus", "Invalid timezone 'Mars/Olympus'"),
        (
            "../../etc/passwd",
            "ZoneInfo keys must refer to subdirectories of TZPATH, got: ../../etc/passwd",
        ),
    ],
)
def test_a_zone_this_machine_does_not_know_is_one_line_and_apply_replaces_it(
    tmp_path, zone, reason
):
    from click.testing import CliRunner

    from beat_sync.cli import main
    from tests.support.manifests import MANIFEST, write_manifest

    def cli(*args):
        return CliRunner().invoke(main, [*args, "--schedules", str(folder)])

    folder = write_manifest(tmp_path / "schedules", MANIFEST)
    assert cli("apply").exit_code == 0
    with connection.cursor() as cursor:  # as a newer tzdata, or a hand edit, may leave it
        cursor.execute(
            "UPDATE django_celery_beat_crontabschedule SET timezone = %s WHERE minute = '30'",
            [zone],
        )
    warning = (
        "beat-sync: warning: periodic task 'Purge sent emails': "
        f"django_celery_beat_crontabschedule.timezone holds {zone!r}, which cannot be read here "
        f"({reason}); apply replaces it\n"
    )

    state = read_current_state()
    assert state.unreadable == (warning.removeprefix("beat-sync: warning: ").strip(),)
    [purge] = [task for task in state.tasks if task.name == "Purge sent emails"]
    assert purge.schedule.timezone == zone

    diff = cli("diff")
    assert (diff.exit_code, diff.stderr) == (0, warning)
    # Changed by SQL since the apply: drift, each field applied -> now -> manifest.
    assert diff.stdout.startswith(
        "~ Purge sent emails (changed outside the manifest)\n"
        "    (each field: applied -> now -> manifest)\n"
        f"    schedule: cron 30 3 * * * (UTC) -> cron 30 3 * * * ({zone}) -> "
        "cron 30 3 * * * (UTC)\n"
    )
    export = CliRunner().invoke(main, ["export"])
    assert export.exit_code == 1
    assert export.stderr.startswith(warning + "<stdout>:")
    applied = cli("apply")
    assert (applied.exit_code, applied.stderr) == (0, warning)
    assert applied.stdout.endswith("Applied: 0 added, 1 changed, 0 removed (1 unchanged).\n")
    assert read_current_state().unreadable == ()
    assert cli("diff").stdout == "In sync: 0 to add, 0 to change, 0 to remove, 2 unchanged\n"


@pytest.mark.django_db
def test_an_unreadable_zone_on_a_row_apply_leaves_alone_says_so(tmp_path):
    """manage = "owned": a row made elsewhere is never touched, so its warning must not say
    that apply replaces it (it did, and apply then changed nothing)."""
    from click.testing import CliRunner
    from django_celery_beat import models as m

    from beat_sync.cli import main
    from tests.support.manifests import MANIFEST, write_manifest

    def raw_rows():  # in SQL: the ORM refuses to read the zone
        rows = []
        with connection.cursor() as cursor:
            for table in ("periodictask", "crontabschedule", "periodictasks"):
                cursor.execute(f"SELECT * FROM django_celery_beat_{table} ORDER BY 1")
                rows.append(cursor.fetchall())
        return rows

    def cli(*args):
        return CliRunner().invoke(main, [*args, "--manage", "owned", "--schedules", str(folder)])

    folder = write_manifest(tmp_path / "schedules", MANIFEST)
    assert cli("apply").exit_code == 0
    made_in_admin = m.CrontabSchedule.objects.create(minute="0", hour="4", timezone="UTC")
    m.PeriodicTask.objects.create(name="Admin's", task="x.y", crontab=made_in_admin)
    with connection.cursor() as cursor:  # as a newer tzdata, or a hand edit, may leave it
        cursor.execute(
            "UPDATE django_celery_beat_crontabschedule SET timezone = 'Mars/Olympus' WHERE id = %s",
            [made_in_admin.pk],
        )
    before = raw_rows()
    warning = (
        'beat-sync: warning: periodic task "Admin\'s": django_celery_beat_crontabschedule.'
        "timezone holds 'Mars/Olympus', which cannot be read here (Invalid timezone "
        "'Mars/Olympus'); apply leaves it as it is (a row beat-sync does not manage)\n"
    )
    for command in (["diff"], ["apply", "--dry-run"]):
        result = cli(*command)
        assert (result.exit_code, result.stderr) == (0, warning)
    applied = cli("apply")
    assert (applied.exit_code, applied.stdout) == (0, "Already in sync: nothing to do.\n")
    assert raw_rows() == before
