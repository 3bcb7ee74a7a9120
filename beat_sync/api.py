"""The stage API: each step of beat-sync as a typed function that never prints and never exits.

    config = load_config()
    project = load_project(config)
    desired = desired_state(config=config, project=project)
    if desired.ok:
        plan = plan_against_tables(desired=desired.tasks, project=project)

A problem the user caused in a manifest is a value (`LocatedError` in `problems`); a failure outside
the manifest (bad settings, unreachable database, apply refused) raises `UserError`, whose message
is one line. The commands, the management commands and the system check are each: options -> one
call here -> render -> exit code. docs/architecture.md draws the flow.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beat_sync.config import DEFAULT_LOCK_TIMEOUT, Config, display_path
from beat_sync.errors import LocatedError, UserError, has_errors
from beat_sync.project import Project, load_project

if TYPE_CHECKING:
    from beat_sync.manifest import ManifestResult
    from beat_sync.plan import Plan
    from beat_sync.saved_plan import SavedPlan
    from beat_sync.state import CurrentState, TaskState
    from beat_sync.status import TaskStatus
    from beat_sync.tables import ApplyResult
    from beat_sync.week import Week

__all__ = [
    "DesiredState",
    "Export",
    "Project",
    "Validation",
    "apply",
    "apply_saved_plan",
    "desired_state",
    "desired_state_at_ref",
    "dry_run",
    "environment_switch",
    "export",
    "load_project",
    "manifest_schema",
    "plan_against_tables",
    "plan_between",
    "plan_runs",
    "save_plan",
    "status",
    "upcoming_runs",
    "validate",
    "week",
]

# What diff --base shows as the zone of a cron without `timezone`: the real one (CELERY_TIMEZONE)
# would need the project's settings, which a pull-request job may not have.
PROJECT_DEFAULT_ZONE = "project default"


@dataclass(frozen=True)
class Validation:
    """A manifest checked: its own problems, and what it asks of the project that it cannot do."""

    manifest: ManifestResult
    project_errors: tuple[LocatedError, ...] = ()  # unregistered tasks, bad signatures, ephem
    # Why the project could not be loaded to check against, when it could not (a UserError's
    # message): the manifest's own problems are reported all the same.
    project_unavailable: str | None = None
    # The lint warnings (beat_sync.lints), and an unknown code in [tool.beat-sync] ignore
    lints: tuple[LocatedError, ...] = ()
    # What only arises in an environment (`validate` with no --env checks each), tagged with it
    environment_problems: tuple[LocatedError, ...] = ()

    @cached_property
    def problems(self) -> tuple[LocatedError, ...]:
        """Every error and warning, sorted by place (environments' own after the base's)."""
        return (
            *sorted((*self.manifest.errors, *self.project_errors, *self.lints)),
            *sorted(self.environment_problems),
        )

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems) and self.project_unavailable is None

    def passes(self, *, strict: bool = False) -> bool:
        """`ok`, and with `strict` (--strict) without any warning either."""
        return self.ok and not (strict and self.problems)

    def summary(self) -> str:
        """`1 file, 3 tasks (cron: 2, interval: 1)`, with the error and warning counts."""
        from beat_sync.manifest import ManifestResult

        manifest = self.manifest
        return ManifestResult(manifest.specs, self.problems, manifest.files).summary()


@dataclass(frozen=True)
class DesiredState:
    """The manifest as the tables should hold it: canonical tasks, or why there are none."""

    validation: Validation
    tasks: tuple[TaskState, ...]  # sorted by name; empty unless `ok`

    @property
    def ok(self) -> bool:
        return self.validation.ok

    @property
    def problems(self) -> tuple[LocatedError, ...]:
        return self.validation.problems


@dataclass(frozen=True)
class Export:
    """The tables as manifest text, and what the manifest loader says of that text."""

    text: str
    exported: int  # how many tasks the text declares
    left_out: tuple[str, ...]  # rows beat writes itself (see beat_sync.plan), sorted
    problems: tuple[LocatedError, ...]  # the exported text read back as a manifest; sorted
    unreadable: tuple[str, ...] = ()  # values of the rows that could not be read (see plan)

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)


def validate(
    *,
    paths: Sequence[Path],
    project: Project | Callable[[], Project] | None = None,
    config: Config | None = None,
    default_timezone: str | None = None,
    now: datetime | None = None,
    environment: str | None = None,
    schedules: Path | None = None,
) -> Validation:
    """Read and check manifest files and folders, and check them against the project's Celery
    app unless `project` is None. `project` may be a loader, called only when there is a task to
    check; its UserError is kept as `project_unavailable`. With `environment`, its overlay
    (under `schedules`, default the first path) applies. UserError for a missing path or an
    unknown environment.

    Then lint them (beat_sync.lints) with `config`'s ignore and herd_limit, at `now` (default:
    BEAT_SYNC_NOW when set, else the current time), reading a cron without zone in
    `default_timezone`, else the project's default zone, else UTC."""
    from beat_sync.manifest import load_manifest
    from beat_sync.manifest.files import environment_folder
    from beat_sync.project import project_errors

    overlay = None
    if environment is not None:
        overlay = environment_folder(schedules or paths[0], environment)
    manifest = load_manifest(paths, overlay, environment)
    checked = Validation(manifest)
    if project is not None and (manifest.specs or manifest.unchecked_tasks):
        try:
            loaded = project() if callable(project) else project
        except UserError as exc:
            checked = Validation(manifest, project_unavailable=str(exc))
        else:
            default_timezone = default_timezone or loaded.default_timezone
            errors = project_errors(
                manifest.specs,
                loaded.tasks,
                beat_owned=loaded.beat_owned,
                unchecked_tasks=manifest.unchecked_tasks,
            )
            checked = Validation(manifest, tuple(errors))
    return Validation(
        manifest,
        checked.project_errors,
        checked.project_unavailable,
        lint_problems(
            manifest, config=config or Config(), default_timezone=default_timezone, now=now
        ),
    )


def lint_problems(
    manifest: ManifestResult,
    *,
    config: Config,
    default_timezone: str | None = None,
    now: datetime | None = None,
) -> tuple[LocatedError, ...]:
    """The lint warnings of the manifest's valid tasks, and a located error for each unknown
    code in [tool.beat-sync] ignore."""
    from beat_sync.config import now as current_instant
    from beat_sync.config import pyproject_location
    from beat_sync.lints import LintSettings, lint
    from beat_sync.manifest.lint_codes import unknown_code

    problems = [
        LocatedError.at(
            pyproject_location(config.pyproject, code), f"[tool.beat-sync] ignore: {reason}"
        )
        for code in config.ignore
        if (reason := unknown_code(code))
    ]
    if not manifest.specs:
        return tuple(problems)
    zone = default_timezone
    if zone is None or zone == PROJECT_DEFAULT_ZONE:
        zone = "UTC"  # without the project, a cron without zone is read in UTC
    settings = LintSettings(
        ignore=frozenset(config.ignore), herd_limit=config.herd_limit, default_timezone=zone
    )
    problems.extend(lint(manifest.specs, now=now or current_instant(), settings=settings))
    return tuple(problems)


def schedules_path(config: Config) -> Path:
    """The schedules folder as located errors name it (relative to the current directory)."""
    return Path(display_path(config.schedules))


def desired_state(
    *, config: Config, project: Project, check_tasks: bool = True, now: datetime | None = None
) -> DesiredState:
    """The schedules folder validated (as `validate` does, linted at `now`) and normalised with
    the project's default zone. `check_tasks=False` skips the checks against the project's
    Celery app."""
    from beat_sync.normalise import normalise

    checked = validate(
        paths=[schedules_path(config)],
        project=project if check_tasks else None,
        environment=config.env,
        config=config,
        default_timezone=project.default_timezone,
        now=now,
    )
    if not checked.ok:
        return DesiredState(checked, ())
    return DesiredState(checked, normalise(checked.manifest.specs, project.default_timezone))


def desired_state_at_ref(
    *, config: Config, ref: str, default_timezone: str = PROJECT_DEFAULT_ZONE
) -> DesiredState:
    """The schedules folder as committed at git `ref`, read with git (no checkout, no database),
    with the overlay of `config.env` at `ref` (none there: the base). Task names are not
    checked: the project at `ref` is not importable."""
    from beat_sync.gitref import read_manifest_sources_at_ref
    from beat_sync.manifest import load_manifest_sources
    from beat_sync.normalise import normalise

    base = read_manifest_sources_at_ref(ref, config.schedules)
    overlay = None
    if config.env is not None:
        from beat_sync.manifest.files import ENVIRONMENTS_FOLDER

        folder = config.schedules / ENVIRONMENTS_FOLDER / config.env
        # An environment that did not exist yet at `ref` was the base there
        overlay = read_manifest_sources_at_ref(ref, folder) or None
    manifest = load_manifest_sources(base, overlay, config.env)
    checked = Validation(manifest)
    if not checked.ok:
        return DesiredState(checked, ())
    return DesiredState(checked, normalise(manifest.specs, default_timezone))


def environments(config: Config) -> list[str]:
    """The environments of the schedules folder (its env/ subfolders), sorted."""
    from beat_sync.manifest.files import environment_names

    return environment_names(config.schedules)


def validate_every_environment(
    *,
    schedules: Path,
    project: Project | Callable[[], Project] | None = None,
    config: Config | None = None,
) -> Validation:
    """The schedules folder validated as the base, then as each of its environments: a problem
    that only arises in an environment is added, tagged with its name (`[staging] path:...`)."""
    from dataclasses import replace

    from beat_sync.manifest.files import environment_names

    paths = [schedules]
    if callable(project):  # loaded once, for the base and every environment
        project = _once(project)
    checked = validate(paths=paths, project=project, config=config)
    seen = set(checked.problems)
    extra: list[LocatedError] = []
    for name in environment_names(schedules):
        in_environment = validate(paths=paths, project=project, config=config, environment=name)
        extra.extend(
            replace(problem, environment=name)
            for problem in in_environment.problems
            if problem not in seen
        )
    if not extra:
        return checked
    return replace(checked, environment_problems=tuple(extra))


def _once(load: Callable[[], Project]) -> Callable[[], Project]:
    loaded: list[Project] = []

    def once() -> Project:
        if not loaded:
            loaded.append(load())
        return loaded[0]

    return once


def files_only_project() -> Project:
    """A stand-in project for comparing two manifests without Django (`diff --base`): both sides
    get the same zone for a cron without `timezone`, so such a cron compares as it does against
    the database unless its `timezone` itself changed."""
    return Project(PROJECT_DEFAULT_ZONE, beat_owned=frozenset(), tasks={})


def plan_against_tables(
    *,
    desired: Sequence[TaskState],
    project: Project,
    using: str = "default",
    manage: str = "all",
    on_remove: str = "delete",
) -> Plan:
    """What apply would change: `desired` against the tables as they are now, and the ownership
    records (one query each). `manage`/`on_remove`: `[tool.beat-sync]`'s, see beat_sync.plan;
    `manage="owned"` raises UserError without the beat_sync app."""
    from beat_sync.tables import read_current_state

    _require_records(manage)
    return _plan(desired, read_current_state(using=using), project.beat_owned, manage, on_remove)


def _require_records(manage: str) -> None:
    from beat_sync.tables import require_installed

    if manage == "owned":
        require_installed('manage = "owned"')


def _plan(
    desired: Sequence[TaskState],
    current: CurrentState,
    beat_owned: frozenset[str],
    manage: str,
    on_remove: str,
) -> Plan:
    from beat_sync.plan import make_plan

    return make_plan(
        desired,
        current,
        beat_owned=beat_owned,
        records=current.records,
        manage=manage,
        on_remove=on_remove,
    )


def save_plan(
    *,
    desired: Sequence[TaskState],
    project: Project,
    path: Path,
    using: str = "default",
    manage: str = "all",
    on_remove: str = "delete",
    environment: str | None = None,
) -> Plan:
    """What `plan_against_tables` gives, also written to `path` as a saved plan
    (beat_sync.saved_plan, docs/saved-plans.md): the desired tasks, `environment`, `manage`,
    `on_remove`, and the fingerprint of the tables the plan was computed from, for
    `apply_saved_plan`. UserError when the file cannot be written."""
    from beat_sync.saved_plan import dump, fingerprint
    from beat_sync.tables import applied_environment, read_current_state

    _require_records(manage)
    current = read_current_state(using=using)
    plan = _plan(desired, current, project.beat_owned, manage, on_remove)
    text = dump(
        tasks=desired,
        environment=environment,
        manage=manage,
        on_remove=on_remove,
        beat_owned=project.beat_owned,
        tables=fingerprint(current, applied_environment(using)),
        summary=str(plan.summary),
    )
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return plan


def _agrees(saved: SavedPlan, path: Path, environment: str | None, manage: str, on_remove: str):
    """UserError when the configuration names another environment, manage or on_remove than
    the plan was saved with (the plan's are applied; a configuration naming others is a
    mistake worth stopping a deploy for)."""
    if environment is not None and environment != saved.environment:
        raise UserError(
            f"{path} was saved for {_shown(saved.environment)}, not {_shown(environment)} "
            "(--env, BEAT_SYNC_ENV or [tool.beat-sync] env): apply it without one, or run "
            "diff --save-plan again"
        )
    for key, wanted, was in (
        ("manage", manage, saved.manage),
        ("on_remove", on_remove, saved.on_remove),
    ):
        if wanted != was:
            raise UserError(
                f'{path} was saved with {key} = "{was}", not "{wanted}" (the command line or '
                "[tool.beat-sync]): apply it with the same, or run diff --save-plan again"
            )


def _shown(environment: str | None) -> str:
    return f"environment '{environment}'" if environment else "the base (no --env)"


def apply_saved_plan(
    *,
    path: Path,
    project: Project,
    using: str = "default",
    allow_empty: bool = False,
    before_commit: Callable[[Plan], None] | None = None,
    allow_env_switch: bool = False,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    environment: str | None = None,
    manage: str = "all",
    on_remove: str = "delete",
) -> ApplyResult:
    """Apply the plan `save_plan` wrote to `path`, as `apply` applies a manifest, without
    reading the manifest: its tasks, environment, manage and on_remove. Refuses (UserError, one
    line, nothing written) a file that is not a plan, is damaged or of another version; a
    configured `environment`, `manage` or `on_remove` other than the plan's; and, decided
    under the lock, tables that no longer have the fingerprint the plan was saved with."""
    from beat_sync.saved_plan import load
    from beat_sync.tables import TablesChanged, apply_plan

    try:
        text = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from exc
    saved = load(text, str(path))
    _agrees(saved, path, environment, manage, on_remove)
    _require_records(saved.manage)
    try:
        return apply_plan(
            saved.tasks,
            using=using,
            beat_owned=saved.beat_owned,
            after_read=None if allow_empty else refuse_removing_everything,
            before_commit=before_commit,
            environment=saved.environment,
            allow_env_switch=allow_env_switch,
            manage=saved.manage,
            on_remove=saved.on_remove,
            lock_timeout=lock_timeout,
            expected_tables=saved.tables,
        )
    except TablesChanged:
        raise UserError(
            f"the tables changed since the plan was saved ({path}): run diff --save-plan again"
        ) from None


def plan_between(*, desired: Sequence[TaskState], current: Sequence[TaskState]) -> Plan:
    """What turns `current` into `desired` when both come from files (`diff --base`)."""
    from beat_sync.plan import make_plan

    return make_plan(desired, current)


def refuse_removing_everything(plan: Plan) -> None:
    """A manifest with no tasks at all (an empty or truncated file is only a warning) would
    delete every periodic task, or with on_remove = "disable" stop every one: that takes
    `allow_empty`."""
    stopped = plan.summary.remove + plan.summary.disable
    # what the manifest declares: the rows it disables (now or before) stay in `desired`
    declared = len(plan.desired) - plan.summary.disable - len(plan.kept_disabled)
    if not declared and stopped:
        verb = "disable" if plan.summary.disable else "remove"
        raise UserError(
            f"the manifest declares no periodic tasks: applying it would {verb} all "
            f"{stopped}; pass --allow-empty if that is what you want"
        )


def apply(
    *,
    desired: Sequence[TaskState],
    project: Project,
    using: str = "default",
    allow_empty: bool = False,
    before_commit: Callable[[Plan], None] | None = None,
    environment: str | None = None,
    allow_env_switch: bool = False,
    manage: str = "all",
    on_remove: str = "delete",
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> ApplyResult:
    """Make the tables hold exactly `desired`, in one locked transaction (beat_sync.tables).

    Refuses (UserError, nothing written) a manifest with no tasks while the tables hold some,
    unless `allow_empty`; the refusal is decided on the state read under the lock.
    `before_commit(plan)` runs inside the transaction once everything is written (the command
    prints the plan there, so that a failure to print rolls back); what it raises rolls back.
    Refuses (UserError, nothing written) to apply `environment` (None: the base) to a database
    last applied as another one, unless `allow_env_switch`; records it otherwise.
    `manage`/`on_remove` as for `plan_against_tables`. Records which rows it manages (with the
    beat_sync app installed), also when the tables are already in sync. Waits for another
    apply's lock at most `lock_timeout` seconds (0: not at all), then raises UserError, nothing
    read or written.
    """
    from beat_sync.tables import apply_plan, require_installed

    if manage == "owned":
        require_installed('manage = "owned"')
    guard = None if allow_empty else refuse_removing_everything
    return apply_plan(
        desired,
        using=using,
        beat_owned=project.beat_owned,
        after_read=guard,
        before_commit=before_commit,
        environment=environment,
        allow_env_switch=allow_env_switch,
        manage=manage,
        on_remove=on_remove,
        lock_timeout=lock_timeout,
    )


def dry_run(
    *,
    desired: Sequence[TaskState],
    project: Project,
    using: str = "default",
    allow_empty: bool = False,
    manage: str = "all",
    on_remove: str = "delete",
    environment: str | None = None,
    allow_env_switch: bool = False,
) -> Plan:
    """The plan `apply` would apply now, refusals included: UserError where apply would refuse."""
    plan = plan_against_tables(
        desired=desired, project=project, using=using, manage=manage, on_remove=on_remove
    )
    if not allow_empty:
        refuse_removing_everything(plan)
    switch = environment_switch(environment=environment, using=using)
    if switch and not allow_env_switch:
        raise UserError(switch.refusal)
    return plan


@dataclass(frozen=True)
class EnvironmentSwitch:
    """The database was last applied as another environment than the one at hand."""

    wanted: str | None  # None: the base
    last: str  # "": the base

    def __str__(self) -> str:
        """`environment: staging (last applied: production)`, as diff prints it."""
        from beat_sync.describe import visible

        wanted, last = visible(self.wanted or "base"), visible(self.last or "base")
        return f"environment: {wanted} (last applied: {last})"

    @property
    def refusal(self) -> str:
        from beat_sync.tables import refusal

        return refusal(self.wanted, self.last)


def environment_switch(
    *, environment: str | None, using: str = "default"
) -> EnvironmentSwitch | None:
    """What apply would refuse, when the database's last applied environment is another one."""
    from beat_sync.tables import applied_environment

    last = applied_environment(using)
    if last is None or last == (environment or ""):
        return None
    return EnvironmentSwitch(environment, last)


def export(
    *,
    project: Project,
    using: str = "default",
    display: str = "<stdout>",
    manage: str = "all",
    unmanaged: bool = False,
) -> Export:
    """The tables' periodic tasks as a manifest, rows beat writes itself left out; the text is
    read back with the manifest loader, its problems located at `display`.

    Which rows: every one with `manage="all"`; the managed ones with `manage="owned"`; with
    `unmanaged`, only the rows beat-sync does not manage (to adopt them). The last two raise
    UserError without the beat_sync app.
    """
    from beat_sync.export import export_manifest, invalid_export
    from beat_sync.manifest import load_manifest_sources
    from beat_sync.plan import is_beat_owned
    from beat_sync.project import project_errors
    from beat_sync.tables import read_current_state, require_installed

    if manage == "owned" or unmanaged:
        require_installed("export --unmanaged" if unmanaged else 'manage = "owned"')
    current = read_current_state(using=using)
    tasks = [t for t in current.tasks if not is_beat_owned(t.name, project.beat_owned)]
    if unmanaged:
        tasks = [t for t in tasks if t.name not in (current.records or {})]
    elif manage == "owned":
        records = current.records or {}
        tasks = [t for t in tasks if t.name in records and not records[t.name].retired]
    left_out = sorted(t.name for t in current.tasks if is_beat_owned(t.name, project.beat_owned))
    text = export_manifest(tasks, project.default_timezone)
    # A row the admin allowed but the manifest does not (say, a cron Celery can't parse, or
    # kwargs the task cannot take) is reported where it lands in the text: the checks diff
    # runs on the same text.
    check = load_manifest_sources([(display, text.encode())])
    problems = (*check.errors, *project_errors(check.specs, project.tasks))
    if has_errors(problems):
        text = invalid_export(text)
    return Export(text, len(tasks), tuple(left_out), tuple(sorted(problems)), current.unreadable)


def manifest_schema(*, overlay: bool = False) -> dict[str, Any]:
    """The JSON Schema of schedules/*.yaml (`overlay`: of schedules/env/NAME/*.yaml), generated
    from the manifest's pydantic models."""
    from beat_sync.manifest.schema import manifest_json_schema

    return manifest_json_schema(overlay=overlay)


@dataclass(frozen=True)
class Run:
    """One run of a task: when beat sends it, in the zone its runs are read in (`when.zone_of`)."""

    name: str
    at: datetime


def pick_tasks(desired: Sequence[TaskState], names: Sequence[str]) -> tuple[TaskState, ...]:
    """The tasks named (all when `names` is empty); UserError for a name the manifest lacks."""
    if not names:
        return tuple(desired)
    from beat_sync.manifest import did_you_mean

    by_name = {task.name: task for task in desired}
    for name in names:
        if name not in by_name:
            hint = did_you_mean(name, by_name)
            raise UserError(f"no periodic task named {name!r} in the manifest{hint}")
    return tuple(by_name[name] for name in dict.fromkeys(names))


def upcoming_runs(
    *,
    desired: Sequence[TaskState],
    after: datetime,
    count: int,
    default_timezone: str,
    names: Sequence[str] = (),
) -> tuple[Run, ...]:
    """The manifest's next `count` runs from `after`, all tasks (or those `names`) merged in time
    order, each task counted as applied at `after` (no database: beat_sync.when says how beat
    computes them). UserError for a name the manifest does not declare."""
    from beat_sync.when import merged_runs, zone_of

    tasks = pick_tasks(desired, names)
    return tuple(
        Run(task.name, moment.astimezone(zone_of(task.schedule, default_timezone)))
        for moment, task in merged_runs(tasks, after=after, count=count)
    )


def week(
    *,
    desired: Sequence[TaskState],
    start: datetime,
    default_timezone: str,
    names: Sequence[str] = (),
) -> Week:
    """The starts per hour of the manifest's enabled tasks (or those `names`) from `start` to the
    end of its seventh day, read in the project's zone, each task counted as applied at `start`
    (`beat_sync.week` draws it). UserError for a name the manifest does not declare, or for a
    week of more runs than `week.MAX_RUNS`."""
    from zoneinfo import ZoneInfo

    from beat_sync.week import build_week
    from beat_sync.when import known_zone, timed_runs

    tasks = pick_tasks(desired, names)
    zone = known_zone(default_timezone) or ZoneInfo("UTC")
    return build_week(timed_runs(tasks, after=start), start=start, zone=zone)


# How many next runs diff shows under each added or changed task.
PLAN_RUNS = 3


def plan_runs(
    plan: Plan, *, after: datetime, default_timezone: str, count: int = PLAN_RUNS
) -> dict[str, tuple[datetime, ...]]:
    """The next runs of each added, changed, adopted or renamed task once the plan is applied at
    `after` (a kept row keeps its last run, as apply keeps it), in the zone its runs are read in.
    A cron whose zone is unknown (`diff --base`'s "project default") is left out, and so is a
    task disabled because the manifest dropped it."""
    from beat_sync.when import computable, next_runs, zone_of

    runs = {}
    for change in plan.changes:
        task = change.new
        if task is None or change.action == "disable" or not computable(task):
            continue
        # Every action but an add keeps a row and its run history (a rename: the old name's).
        history = plan.history.get(change.old_name or change.name) if change.old else None
        zone = zone_of(task.schedule, default_timezone)
        moments = next_runs(
            task,
            after=after,
            count=count,
            last_run_at=history.last_run_at if history else None,
            total_run_count=history.total_run_count if history else 0,
            date_changed=after,
        )
        runs[change.name] = tuple(moment.astimezone(zone) for moment in moments)
    return runs


@dataclass(frozen=True)
class Status:
    """Every periodic task in the tables, with its health and runs at `now`."""

    tasks: tuple[TaskStatus, ...]  # sorted by name
    now: datetime
    default_timezone: str  # the zone non-cron tasks' runs are read in
    # One line per row whose schedule cannot be computed here (tables.beat.schedule_problem):
    # warnings; such a row shows no next run.
    problems: tuple[str, ...] = ()

    @property
    def overdue(self) -> tuple[str, ...]:
        """The names of the enabled tasks beat has not run when it should have."""
        return tuple(s.task.name for s in self.tasks if s.health == "overdue")


def status(
    *,
    desired: Sequence[TaskState],
    project: Project,
    now: datetime,
    using: str = "default",
    manage: str = "all",
) -> Status:
    """What beat has done with each row and will do next (two queries, the tasks and the
    ownership records, whatever the number of tasks); `desired` says which names the manifest
    declares, the records which rows drifted and, with `manage="owned"` (UserError without the
    beat_sync app), which rows beat-sync does not manage (beat_sync.status says how)."""
    from beat_sync.plan import is_beat_owned
    from beat_sync.project import beat_max_interval
    from beat_sync.status import task_status
    from beat_sync.tables import read_tables, require_installed

    if manage == "owned":
        require_installed('manage = "owned"')
    snapshot = read_tables(using=using)
    records = snapshot.state.records or {}
    declared = {task.name: task for task in desired}
    max_interval = beat_max_interval()
    tasks = tuple(
        task_status(
            task,
            history=snapshot.state.history[task.name],
            date_changed=snapshot.date_changed.get(task.name),
            declared=declared,
            beat_owned=project.beat_owned,
            now=now,
            max_interval=max_interval,
            record=records.get(task.name),
            managed=manage == "all"
            or task.name in records
            or is_beat_owned(task.name, project.beat_owned),
        )
        for task in snapshot.state.tasks
    )
    return Status(tasks, now, project.default_timezone, _schedule_problems(snapshot.state.tasks))


def _schedule_problems(tasks: Sequence[TaskState]) -> tuple[str, ...]:
    """`periodic task 'NAME': why` for each row whose schedule beat cannot run (each distinct
    schedule asked once: schedule_problem is cached)."""
    from beat_sync.tables.beat import schedule_problem

    return tuple(
        f"periodic task {task.name!r}: {problem}"
        for task in tasks
        if (problem := schedule_problem(task.schedule)) is not None
    )
