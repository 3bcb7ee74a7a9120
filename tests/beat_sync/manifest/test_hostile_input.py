"""Whatever bytes or structures arrive, the loader answers with located errors or a valid result."""

from __future__ import annotations

import time

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beat_sync.manifest import ManifestResult, load_manifest_sources

KEYS = st.sampled_from(
    [
        "periodic_tasks", "name", "task", "cron", "interval", "solar", "clocked", "args",
        "kwargs", "queue", "headers", "priority", "expires", "expire_seconds", "one_off",
        "start_time", "enabled", "description", "minute", "hour", "day_of_week", "every",
        "period", "event", "latitude", "longitude", "timezone", "enbled", "x-anchor",
    ]
)  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["*/15", "0 3 * * *", "minutes", "sunset", "Europe/Sofia", "2026-01-01"])
    | st.datetimes()
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(KEYS | st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=25,
)
DOCUMENTS = st.dictionaries(KEYS, VALUES, max_size=4) | st.fixed_dictionaries(
    {"periodic_tasks": st.lists(st.dictionaries(KEYS, VALUES, max_size=8), max_size=4)}
)


def assert_well_formed(result: ManifestResult, path: str) -> None:
    assert isinstance(result, ManifestResult)
    for error in result.errors:
        assert error.path == path
        assert error.line >= 1 and error.column >= 1
        assert error.message and "\n" not in error.message
    if result.ok:
        assert all(error.severity == "warning" for error in result.errors)
    assert list(result.errors) == sorted(result.errors)
    result.summary()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_arbitrary_bytes(raw: bytes):
    assert_well_formed(load_manifest_sources([("f.yaml", raw)]), "f.yaml")


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!?|>'\"#,.% \n\t0123\\@`~<")), max_size=120)
)
def test_arbitrary_yaml_like_text(text: str):
    assert_well_formed(load_manifest_sources([("f.yaml", text.encode())]), "f.yaml")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS, st.booleans())
def test_arbitrary_mappings(document, flow: bool):
    text = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True)
    assert_well_formed(load_manifest_sources([("f.yaml", text.encode())]), "f.yaml")


def test_billion_laughs_fails_fast():
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    raw = ("\n".join(levels) + "\nperiodic_tasks: [*j]\n").encode()
    started = time.perf_counter()
    result = load_manifest_sources([("bomb.yaml", raw)])
    assert time.perf_counter() - started < 1.0
    assert [error.message for error in result.errors] == [
        "the document expands to more than 1,000,000 YAML nodes (aliases included); "
        "refusing it as a possible alias bomb"
    ]


def test_python_tags_are_never_constructed(tmp_path):
    marker = tmp_path / "constructed"
    raw = (
        "periodic_tasks:\n"
        "  - !!python/object/apply:pathlib.Path.touch\n"
        f"    [!!python/object/apply:pathlib.Path ['{marker}']]\n"
    ).encode()
    result = load_manifest_sources([("evil.yaml", raw)])
    assert not result.ok
    assert not marker.exists()
    assert result.errors[0].message.startswith("unsupported YAML tag '!!python/object/apply:")
