"""Bytes to located YAML: positions of keys and values, refused content, limits and merge keys."""

from __future__ import annotations

from beat_sync.errors import LocatedError
from beat_sync.manifest import ManifestResult, load_manifest_sources
from beat_sync.manifest.files import MAX_BYTES
from beat_sync.manifest.loader import load_document

TASK = "styleguide_example.emails.tasks.email_purge_sent"


def load(text: str, path: str = "m.yaml") -> ManifestResult:
    return load_manifest_sources([(path, text.encode())])


def test_every_key_and_value_keeps_its_line_and_column():
    text = "periodic_tasks:\n  - name: A\n    cron: {minute: 017}\n    args: [1, two]\n"
    document, errors = load_document("m.yaml", text.encode())
    assert errors == [] and document is not None
    assert document.data == {
        "periodic_tasks": [{"name": "A", "cron": {"minute": 15}, "args": [1, "two"]}]
    }
    task = ("periodic_tasks", 0)
    assert document.value_at(()) == (1, 1)
    assert document.key_at((*task, "name")) == (2, 5)
    assert document.value_at((*task, "name")) == (2, 11)
    assert document.value_at((*task, "args", 1)) == (4, 15)
    # a key path with no value falls back to its nearest ancestor, a key to its value
    assert document.value_at((*task, "args", 7)) == (4, 11)
    assert document.key_at((*task, "args", 1)) == (4, 15)
    assert document.raw[(*task, "cron", "minute")] == "017"  # YAML 1.1 read it as octal 15
    assert str(document.location(document.value_at(task))) == "m.yaml:2:5"


def test_duplicate_keys_unknown_tags_and_bad_utf8_are_located():
    _, errors = load_document("m.yaml", b"a: 1\nb: !!set {x}\na: 2\nc: !foo 3\n")
    assert [str(error) for error in errors] == [
        "m.yaml:3:1: duplicate key 'a' (first at line 1, column 1); "
        "YAML would silently keep only the last one",
        "m.yaml:4:4: unsupported YAML tag '!foo'",
    ]
    document, errors = load_document("m.yaml", b"a: 1\nb: caf\xe9\n")
    assert document is None
    assert errors == [
        LocatedError("m.yaml", 2, 7, "not valid UTF-8 (byte 0xe9); save the file as UTF-8")
    ]


def test_an_empty_file_is_a_warning_not_an_error():
    for text in ("", "# only a comment\n", "\n\n"):
        result = load(text)
        assert result.ok
        assert result.errors == (
            LocatedError("m.yaml", 1, 1, "empty file: no periodic tasks", "warning"),
        )
        assert str(result.errors[0]) == "m.yaml:1:1: warning: empty file: no periodic tasks"


def test_a_file_over_the_size_limit_is_refused_before_parsing():
    raw = b"periodic_tasks: []\n" + b"#" * MAX_BYTES
    result = load_manifest_sources([("big.yaml", raw)])
    assert [str(error) for error in result.errors] == [
        f"big.yaml:1:1: file is {len(raw):,} bytes, over the 5,242,880-byte (5 MiB) limit"
    ]


def test_merge_keys_fill_in_without_overriding():
    result = load(
        "x-defaults: &defaults\n  queue: slow\n  priority: 3\n"
        f"periodic_tasks:\n  - name: A\n    task: {TASK}\n    cron: '0 3 * * *'\n"
        "    <<: *defaults\n    priority: 7\n"
    )
    assert result.ok, result.errors
    assert (result.specs[0].queue, result.specs[0].priority) == ("slow", 7)


def test_nesting_past_the_limit_is_refused_at_the_first_node_too_deep_with_or_without_anchors():
    # Without an anchor the tree is only walked once (while building); with one, the aliases
    # are counted first: both refuse the first node at depth 65 (the root is depth 0), a
    # mapping's key included (the 64th mapping's key 'a', before the 65th mapping).
    for deep, column in (("[" * 70 + "]" * 70, 68), ("{a: " * 70 + "1" + "}" * 70, 257)):
        for text in (f"x: {deep}\n", f"y: &anchor 1\nx: {deep}\n"):
            _, errors = load_document("m.yaml", text.encode())
            line = text.count("\n", 0, text.index("x:")) + 1
            assert [str(error) for error in errors] == [
                f"m.yaml:{line}:{column}: nested deeper than 64 levels"
            ], text
    for depth in (63, 64):  # the deepest node at 64 is fine
        _, errors = load_document("m.yaml", f"x: {'[' * depth}{']' * depth}\n".encode())
        assert errors == []
