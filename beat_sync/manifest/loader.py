"""Bytes to located YAML: safe composition, plain values and the line:column of every key and value.

PyYAML is used only to *compose* (parse into nodes); values are built here from the nodes, so
duplicate keys are caught, every key and value keeps its position, only the safe scalar tags are
constructed, and aliases are counted before they are expanded (no billion laughs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from beat_sync.errors import LocatedError, Location
from beat_sync.manifest.files import MAX_BYTES, oversize_error

try:  # libyaml's composer is several times faster; same nodes, same marks
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

# A 5,000-task manifest is ~100,000 nodes; an alias bomb is billions.
MAX_EXPANDED_NODES = 1_000_000
MAX_DEPTH = 64

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp", "binary")}
_MERGE = _TAG + "merge"
_STR = _TAG + "str"
_SEQ, _MAP, _SET = _TAG + "seq", _TAG + "map", _TAG + "set"
_SCALAR_CONSTRUCTORS = {
    _TAG + name: getattr(SafeConstructor, f"construct_yaml_{name}")
    for name in ("int", "float", "bool", "null", "timestamp", "binary")
}

KeyPath = tuple[str | int, ...]  # keys and list indexes from the document root
# (line, column), 1-based: a plain tuple, as one is made per node; Location adds the file
LineColumn = tuple[int, int]


@dataclass
class LocatedDocument:
    """One file's plain data, with where each key and value was written."""

    path: str
    data: Any
    values: dict[KeyPath, LineColumn] = field(default_factory=dict)  # where each value starts
    keys: dict[KeyPath, LineColumn] = field(default_factory=dict)  # where each mapping key starts
    # plain scalars' source text where the value is not that text (a number, a boolean...)
    raw: dict[KeyPath, str] = field(default_factory=dict)
    # values the loader refused (a bad scalar, an unknown tag), read as null and reported already
    refused: set[KeyPath] = field(default_factory=set)

    def value_at(self, key_path: KeyPath) -> LineColumn:
        """The position of the value at `key_path`, or of its nearest ancestor that has one."""
        for end in range(len(key_path), -1, -1):
            position = self.values.get(key_path[:end])
            if position is not None:
                return position
        return (1, 1)

    def key_at(self, key_path: KeyPath) -> LineColumn:
        """The position of the key that leads to `key_path` (falls back to the value's)."""
        return self.keys.get(key_path) or self.value_at(key_path)

    def location(self, position: LineColumn) -> Location:
        return Location(self.path, *position)

    def error(self, position: LineColumn, message: str, severity: str = "error") -> LocatedError:
        line, column = position
        return LocatedError(self.path, line, column, message, severity)  # type: ignore[arg-type]


class _Abort(Exception):
    """Stops reading one file: the located problem makes the rest meaningless (bomb)."""

    def __init__(self, error: LocatedError) -> None:
        self.error = error


def _position(node: Node) -> LineColumn:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _position_of_offset(text: str, offset: int) -> LineColumn:
    before = text[:offset]
    return (before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1)


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


def _tab_at(text: str, line: int, column: int) -> bool:
    """Whether a tab is at (or starts the indentation before) 1-based line:column."""
    lines = text.split("\n")
    if not 0 < line <= len(lines):
        return False
    indentation = lines[line - 1][: max(column, 1)]
    return "\t" in indentation and not indentation.replace("\t", "").strip(" ")


def load_document(path: str, raw: bytes) -> tuple[LocatedDocument | None, list[LocatedError]]:
    """Parse one file's bytes; None (with the reasons) when nothing can be validated."""
    if len(raw) > MAX_BYTES:
        return None, [oversize_error(path, len(raw))]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = _position_of_offset(raw[: exc.start].decode("utf-8"), exc.start)
        return None, [
            LocatedError.at(
                Location(path, *where),
                f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
            )
        ]
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "cannot parse"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        if _tab_at(text, line, column):  # libyaml's words do not say what is wrong
            problem, context = "a tab indents this line; YAML indents with spaces only", ""
        return None, [LocatedError(path, line, column, f"invalid YAML: {problem}{context}")]
    except yaml.reader.ReaderError as exc:
        where = _position_of_offset(text, exc.position)
        return None, [
            LocatedError.at(
                Location(path, *where),
                f"invalid YAML: {exc.reason} (character {ord(exc.character):#x})"
                if isinstance(exc.character, str)
                else f"invalid YAML: {exc.reason}",
            )
        ]
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error above carries a mark
        return None, [LocatedError(path, 1, 1, f"invalid YAML: {exc}")]
    if root is None:
        return None, [LocatedError(path, 1, 1, "empty file: no periodic tasks", "warning")]
    document = LocatedDocument(path, None)
    builder = _Builder(document)
    try:
        # Without an anchor (`&name`) there is no alias: every node was composed once, so the
        # tree is no bigger than the file and needs no counting (build checks the depth).
        if "&" in text:
            builder.check_size(root)
        document.data = builder.build(root, ())
    except _Abort as abort:
        return None, [abort.error]
    return document, builder.errors


class _Builder:
    """Turns composed nodes into plain values, recording positions and problems on the way."""

    def __init__(self, document: LocatedDocument) -> None:
        self.document = document
        self.errors: list[LocatedError] = []
        self.constructor = SafeConstructor()

    def check_size(self, root: Node) -> None:
        """Count the nodes the aliases expand to, without expanding them (memoised by node)."""
        self._count(root, 0, root, {}, set())

    def _count(
        self, node: Node, depth: int, root: Node, sizes: dict[int, int], in_progress: set[int]
    ) -> int:
        # A method, not a closure inside check_size: a recursive closure is a reference cycle
        # that would keep the whole node tree alive until the cyclic collector runs.
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in in_progress:
            raise _Abort(self.document.error(_position(node), "recursive YAML alias"))
        if depth > MAX_DEPTH:
            raise _Abort(
                self.document.error(_position(node), f"nested deeper than {MAX_DEPTH} levels")
            )
        total = 1
        if isinstance(node, (MappingNode, SequenceNode)):
            in_progress.add(key)
            if isinstance(node, MappingNode):
                children = [item for pair in node.value for item in pair]
            else:
                children = node.value
            for child in children:
                total += sizes.get(id(child)) or self._count(
                    child, depth + 1, root, sizes, in_progress
                )
                if total > MAX_EXPANDED_NODES:
                    raise _Abort(
                        self.document.error(
                            _position(root),
                            f"the document expands to more than {MAX_EXPANDED_NODES:,} YAML "
                            "nodes (aliases included); refusing it as a possible alias bomb",
                        )
                    )
            in_progress.discard(key)
        sizes[key] = total
        return total

    def build(self, node: Node, key_path: KeyPath) -> Any:
        mark = node.start_mark
        self.document.values[key_path] = (mark.line + 1, mark.column + 1)
        if isinstance(node, ScalarNode):
            return self.scalar(node, key_path)
        if len(key_path) >= MAX_DEPTH:  # its children would be deeper than the limit
            self.too_deep(node)
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ:
                return self.unsupported(node, key_path)
            return [self.build(item, (*key_path, i)) for i, item in enumerate(node.value)]
        if node.tag == _SET:
            # !!set {a, b}: kept as a Python set, which validation reports as not JSON
            keys = self.mapping(node, key_path)
            return set(keys)
        if node.tag != _MAP:
            return self.unsupported(node, key_path)
        return self.mapping(node, key_path)

    def too_deep(self, node: Node) -> None:
        """Refuse `node`'s first child, if it has any: it nests past the depth limit."""
        children = (
            [item for pair in node.value for item in pair]
            if isinstance(node, MappingNode)
            else node.value
        )
        if children:
            where = _position(children[0])
            raise _Abort(self.document.error(where, f"nested deeper than {MAX_DEPTH} levels"))

    def unsupported(self, node: Node, key_path: KeyPath) -> None:
        self.document.refused.add(key_path)
        self.errors.append(
            self.document.error(_position(node), f"unsupported YAML tag '{_short_tag(node.tag)}'")
        )
        return None

    def scalar(self, node: ScalarNode, key_path: KeyPath) -> Any:
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag not in _SCALAR_TAGS:
            return self.unsupported(node, key_path)
        if not node.style:  # plain (PyYAML: None, libyaml: ""): 017 read as a number, say
            self.document.raw[key_path] = node.value
        try:
            return _SCALAR_CONSTRUCTORS[tag](self.constructor, node)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            self.document.refused.add(key_path)
            problem = getattr(exc, "problem", None) or str(exc)
            self.errors.append(
                self.document.error(
                    _position(node),
                    f"invalid {_short_tag(tag)} value {node.value!r}: {problem}",
                )
            )
            return None

    def mapping(self, node: MappingNode, key_path: KeyPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, LineColumn] = {}
        merged: list[MappingNode] = []
        keys, values = self.document.keys, self.document.values
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.errors.append(
                    self.document.error(_position(key_node), "mapping keys must be plain strings")
                )
                continue
            if key_node.tag == _MERGE:
                merged.extend(self.merge_sources(value_node))
                continue
            key = key_node.value
            mark = key_node.start_mark
            where = (mark.line + 1, mark.column + 1)
            if key in first_seen:
                seen_line, seen_column = first_seen[key]
                self.errors.append(
                    self.document.error(
                        where,
                        f"duplicate key {key!r} (first at line {seen_line}, "
                        f"column {seen_column}); YAML would silently keep only the last one",
                    )
                )
                continue
            first_seen[key] = where
            path = (*key_path, key)
            keys[path] = where
            if value_node.tag == _STR and isinstance(value_node, ScalarNode):
                # The commonest value, built here: one call less per string in the file.
                mark = value_node.start_mark
                values[path] = (mark.line + 1, mark.column + 1)
                result[key] = value_node.value
            else:
                result[key] = self.build(value_node, path)
        # `<<: *defaults`: merged keys fill in what the mapping does not say itself
        for source in merged:
            for key_node, value_node in source.value:
                if isinstance(key_node, ScalarNode) and key_node.tag == _MERGE:
                    merged.extend(self.merge_sources(value_node))  # a merge inside a merge
                    continue
                if not isinstance(key_node, ScalarNode):
                    continue
                key = key_node.value
                if key not in result:
                    keys[(*key_path, key)] = _position(key_node)
                    result[key] = self.build(value_node, (*key_path, key))
        return result

    def merge_sources(self, node: Node) -> list[MappingNode]:
        if isinstance(node, MappingNode) and node.tag == _MAP:
            return [node]
        if isinstance(node, SequenceNode) and all(
            isinstance(item, MappingNode) for item in node.value
        ):
            return list(node.value)
        self.errors.append(
            self.document.error(
                _position(node), "'<<' (merge key) needs a mapping or a list of mappings"
            )
        )
        return []
