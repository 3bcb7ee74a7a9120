"""Location and LocatedError: one place type, printed as path:line:column and sorted by place."""

from __future__ import annotations

from beat_sync.errors import LocatedError, Location


def test_a_location_prints_and_compares_as_a_place():
    where = Location("a.yaml", 3, 11)
    assert str(where) == "a.yaml:3:11"
    assert where == ("a.yaml", 3, 11)
    assert sorted([Location("b.yaml", 1, 1), Location("a.yaml", 9, 2), where]) == [
        where,
        Location("a.yaml", 9, 2),
        Location("b.yaml", 1, 1),
    ]


def test_a_located_error_is_built_at_a_location_and_gives_it_back():
    where = Location("a.yaml", 3, 11)
    error = LocatedError.at(where, "bad value")
    assert error == LocatedError("a.yaml", 3, 11, "bad value")
    assert error.location == where
    assert str(error) == "a.yaml:3:11: bad value"
    warning = LocatedError.at(where, "empty file", "warning")
    assert str(warning) == "a.yaml:3:11: warning: empty file"
    assert sorted([LocatedError("b", 1, 1, "x"), warning, error]) == [
        error,
        warning,
        LocatedError("b", 1, 1, "x"),
    ]
