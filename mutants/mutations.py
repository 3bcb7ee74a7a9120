"""The mutations `make mutants` applies: each breaks one promise of README in a scratch copy, and
names the tests that must then fail (run in that order, the first failure is reported).

An edit replaces an anchor, source text that must occur exactly once in its file: when a
refactor moves or changes that code, the runner stops and says so instead of mutating nothing.
Add a mutation with the promise it breaks; its tests go most telling first.
"""

from __future__ import annotations

from dataclasses import dataclass

BACKENDS = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Edit:
    path: str  # relative to the repository root
    anchor: str  # occurs exactly once in the file
    replacement: str


@dataclass(frozen=True)
class Mutation:
    name: str
    breaks: str  # the promise, in README's words
    edits: tuple[Edit, ...]
    tests: tuple[str, ...]  # pytest node ids, the most telling first
    # Backends whose code path the edits change, and why another one is not run.
    backends: tuple[str, ...] = BACKENDS
    not_run: str = ""


SQL = "beat_sync/tables/sql.py"
WRITE = "beat_sync/tables/write.py"
TABLES_TESTS = "tests/beat_sync/test_tables.py"
APPLY_TESTS = "tests/beat_sync/commands/test_apply.py"

# apply without its transaction, on both databases (the lock statements are kept).
NO_TRANSACTION = (
    Edit(
        SQL,
        "with transaction.atomic(using=using):\n            _advisory_lock(",
        "with transaction.mark_for_rollback_on_error(using=using):\n            _advisory_lock(",
    ),
    Edit(
        SQL,
        "stack.enter_context(transaction.atomic(using=using))",
        "stack.enter_context(transaction.mark_for_rollback_on_error(using=using))",
    ),
)

MUTATIONS: tuple[Mutation, ...] = (
    Mutation(
        "drop-insert-batches",
        "every task is written, however many statements SQLite's variable limit takes",
        (
            Edit(
                SQL,
                "for start in range(0, len(rows), size):",
                "for start in range(0, min(len(rows), size), size):",
            ),
        ),
        tests=(
            f"{TABLES_TESTS}::test_sqlite_inserts_every_batch_when_the_variable_limit_splits_the_rows",
        ),
        backends=("sqlite",),
        not_run="PostgreSQL inserts every row in one statement, without batches",
    ),
    Mutation(
        "insert-row-by-row",
        "apply takes the same number of statements whatever the number of tasks",
        (
            Edit(
                SQL,
                'if connection.vendor == "postgresql":\n        return _insert_json(',
                "if False:\n        return _insert_json(",
            ),
            Edit(
                SQL, "size = rows_per_statement(connection, len(fields)) or len(rows)", "size = 1"
            ),
        ),
        tests=(
            f"{TABLES_TESTS}::test_apply_takes_the_same_number_of_queries_for_10_and_1000_tasks",
        ),
    ),
    Mutation(
        "no-op-apply-writes",
        "an apply with nothing to change writes nothing",
        (
            Edit(
                WRITE,
                "if plan.in_sync and not plan.records_changed and not switch:",
                "if False:",
            ),
        ),
        tests=(f"{TABLES_TESTS}::test_an_apply_with_nothing_to_change_writes_nothing",),
    ),
    Mutation(
        "no-transaction",
        "apply is one transaction: killed or failing half-way, the tables are as before",
        NO_TRANSACTION,
        tests=(
            "tests/faults/test_kill.py::"
            "test_sigkill_between_delete_and_recreate_leaves_exactly_the_old_state",
            f"{TABLES_TESTS}::test_an_exception_after_every_delete_and_insert_rolls_everything_back",
        ),
    ),
    Mutation(
        "no-transaction-live-beat",
        "a running beat, and any reader, only ever sees a whole manifest",
        NO_TRANSACTION,
        tests=(
            "tests/faults/test_live_beat.py::"
            "test_beat_and_a_reader_during_an_apply_only_see_whole_manifests_and_beat_picks_up_each",
        ),
        backends=("postgresql",),
        not_run="the live-beat test runs on PostgreSQL only",
    ),
    Mutation(
        "no-lock",
        "concurrent applies are serialised by beat-sync's own lock",
        (
            Edit(SQL, "_advisory_lock(connection, timeout)\n", "None\n"),
            Edit(SQL, 'connection.transaction_mode = "IMMEDIATE"', "pass"),
        ),
        tests=(
            f"{APPLY_TESTS}::test_a_second_apply_waits_for_the_first_and_plans_from_its_result",
            "tests/faults/test_concurrency.py::test_two_manifests_at_once_end_as_exactly_one_of_them",
        ),
    ),
    Mutation(
        "skip-change-marker",
        "a running beat notices each apply: the change marker moves once",
        (Edit(WRITE, "_bump_change_marker(using, now)\n", "None\n"),),
        tests=(f"{TABLES_TESTS}::test_the_change_marker_moves_once_on_a_real_change",),
    ),
    Mutation(
        "ignore-cron-timezone",
        "a cron runs in its own timezone",
        (
            Edit(
                "beat_sync/state.py",
                '"timezone": value.timezone or default_timezone',
                '"timezone": default_timezone',
            ),
        ),
        tests=(
            "tests/faults/test_property.py",
            "tests/beat_sync/commands/test_next.py::"
            "test_a_new_york_night_job_runs_at_0330_on_the_spring_forward_day",
            "tests/beat_sync/test_normalise.py::test_every_field_becomes_its_canonical_column_value",
        ),
    ),
    Mutation(
        "no-last-run-at",
        "apply keeps each surviving task's last_run_at",
        (
            Edit(
                WRITE,
                "last_run_at=history.last_run_at if history and task.enabled else None,",
                "last_run_at=None,",
            ),
        ),
        tests=(f"{TABLES_TESTS}::test_run_history_ids_and_unchanged_timestamps_survive_an_apply",),
    ),
    Mutation(
        "validate-accepts-celery-rewrites",
        "validate accepts only what Celery's parser reads as written (mon#2, 1-2-3, monxyz)",
        (
            Edit(
                "beat_sync/manifest/rules.py",
                "(_cron_item_problem(field, item) for item in items)",
                "()",
            ),
        ),
        tests=(
            "tests/beat_sync/manifest/test_rules.py::"
            "test_a_field_celery_reads_otherwise_than_written_is_refused",
        ),
    ),
    Mutation(
        "validate-accepts-single-value-steps",
        "validate refuses a step that selects one value (*/90 in minute runs at :00 only)",
        (
            Edit(
                "beat_sync/manifest/rules.py",
                "(_single_value_step(field, i.lower()) for i in items)",
                "()",
            ),
        ),
        tests=(
            "tests/beat_sync/manifest/test_rules.py::"
            "test_a_field_celery_reads_otherwise_than_written_is_refused",
        ),
    ),
    Mutation(
        "print-plan-after-commit",
        "exit 1 means the tables are as before: the plan is printed before COMMIT",
        (
            Edit(
                WRITE,
                "        if before_commit is not None and not plan.in_sync:\n"
                "            before_commit(plan)\n",
                "",
            ),
            Edit(
                WRITE,
                "    return ApplyResult(\n        plan=plan,\n",
                "    if before_commit is not None and not plan.in_sync:\n"
                "        before_commit(plan)\n"
                "    return ApplyResult(\n        plan=plan,\n",
            ),
        ),
        tests=(f"{APPLY_TESTS}::test_a_plan_that_cannot_be_printed_is_rolled_back_and_exits_1",),
    ),
)
