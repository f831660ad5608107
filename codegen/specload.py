"""Loading and validating spec files.

A spec file is TOML whose top level holds arrays of tables (``[[error]]``,
``[[type]]`` ...).  Each array is described by a ``Table`` schema: the keys an
entry may have, which are required, their types, allowed values, uniqueness and
references to entries of other tables.  Problems are raised as ``SpecError``
carrying ``file:line`` so that a human can jump straight to the bad entry.

tomllib does not report line numbers, so ``LineMap`` re-reads the raw text and
records where every ``[[table]]`` header and every ``key =`` line sits.
"""

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path


class SpecError(Exception):
    """A problem in a spec file, reported as ``path:line: message``."""

    def __init__(self, path, line, message):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


_HEADER_ARRAY = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_.-]+)\s*\]\]")
_HEADER_TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]")
_KEY = re.compile(r'^\s*("?)([A-Za-z0-9_.:-]+)\1\s*=')


class LineMap:
    """Where each top-level key, array entry and entry key is written."""

    def __init__(self, text):
        self.top = {}  # key -> line
        self.entries = {}  # (table, index) -> {"": header line, key: line}
        self.items = {}  # (table, index, key) -> [line of each inline table in the array]
        counts = {}
        current = None
        in_multiline = None
        in_array = None  # the item line list of a multi-line array being read
        for number, line in enumerate(text.splitlines(), start=1):
            if in_multiline:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            if in_array is not None:
                stripped = line.strip()
                if stripped.startswith("{"):
                    in_array.append(number)
                elif stripped.startswith("]"):
                    in_array = None
                continue
            match = _HEADER_ARRAY.match(line)
            if match:
                name = match.group(1)
                index = counts.get(name, 0)
                counts[name] = index + 1
                current = {"": number, "#": (name, index)}
                self.entries[(name, index)] = current
                continue
            match = _HEADER_TABLE.match(line)
            if match:
                current = {"": number}
                self.top[match.group(1)] = number
                continue
            match = _KEY.match(line)
            if match:
                key = match.group(2)
                if current is None:
                    self.top[key] = number
                else:
                    current.setdefault(key, number)
                    in_array = self._array_items(line, current, key)
                for quote in ('"""', "'''"):
                    if line.count(quote) % 2 == 1:
                        in_multiline = quote

    def _array_items(self, line, current, key):
        """Start collecting item lines when ``key = [`` opens a multi-line array."""
        value = line.split("=", 1)[1].strip()
        if not value.startswith("[") or value.count("[") <= value.count("]"):
            return None
        table_index = current.get("#")
        if table_index is None:
            return None
        return self.items.setdefault(table_index + (key,), [])

    def item_line(self, table, index, key, item):
        """Line of the ``item``-th inline table of array ``key`` (the key's line if unknown)."""
        lines = self.items.get((table, index, key), [])
        return lines[item] if item < len(lines) else self.entry_line(table, index, key)

    def entry_line(self, table, index, key=""):
        entry = self.entries.get((table, index), {})
        return entry.get(key, entry.get("", 1))


@dataclass
class Field:
    """One key of a table entry."""

    name: str
    kind: type | tuple  # str, int, bool, float, list, or a tuple of those
    required: bool = False
    default: object = None
    choices: tuple = ()  # allowed values, when the key is an enumeration
    unique: bool = False  # no two entries share the value
    ref: str | None = None  # names an entry of this table (by its "name")
    pattern: str | None = None  # a regular expression the string must match
    item: "Table | None" = None  # for a list of inline tables: the schema of each


@dataclass
class Table:
    """Schema of one array of tables in a spec file."""

    name: str
    fields: list
    required: bool = True  # the file must have at least one entry

    def field(self, key):
        for candidate in self.fields:
            if candidate.name == key:
                return candidate
        return None


@dataclass
class Entry:
    """A validated entry: its values (defaults filled in) and where it is."""

    values: dict
    path: str
    table: str
    index: int
    lines: LineMap = field(repr=False)

    def __getitem__(self, key):
        return self.values[key]

    def get(self, key, default=None):
        return self.values.get(key, default)

    def line(self, key=""):
        return self.lines.entry_line(self.table, self.index, key)

    def error(self, message, key=""):
        return SpecError(self.path, self.line(key), message)


@dataclass
class Item(Entry):
    """An inline table in an entry's list (``fields = [{...}, ...]``): its
    errors point at the line the inline table is written on."""

    item_line: int = 0

    def line(self, key=""):
        return self.item_line


_KIND_NAMES = {str: "a string", int: "an integer", bool: "a boolean", float: "a number", list: "a list"}


def _kind_matches(value, kind):
    kinds = kind if isinstance(kind, tuple) else (kind,)
    for wanted in kinds:
        if wanted is int and isinstance(value, bool):
            continue
        if wanted is float and isinstance(value, int) and not isinstance(value, bool):
            return True
        if isinstance(value, wanted):
            return True
    return False


def _kind_name(kind):
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(_KIND_NAMES[k] for k in kinds)


def load_spec(path, tables, display_path=None):
    """Parse one spec file and validate it against ``tables``.

    Returns ``{table name: [Entry, ...]}``.  References between tables are
    checked later by ``check_refs`` once every file is loaded.
    """
    display = display_path or str(path)
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise SpecError(display, match.group(1) if match else 1, f"invalid TOML: {exc}") from None
    lines = LineMap(text)
    schema = {table.name: table for table in tables}
    for key in data:
        if key not in schema:
            expected = ", ".join(f"[[{name}]]" for name in schema)
            raise SpecError(display, lines.top.get(key, lines.entry_line(key, 0)),
                            f"unknown table '{key}' (expected {expected})")
    result = {}
    for table in tables:
        rows = data.get(table.name, [])
        if not isinstance(rows, list) or any(not isinstance(row, dict) for row in rows):
            raise SpecError(display, lines.top.get(table.name, 1),
                            f"'{table.name}' must be written as [[{table.name}]] entries")
        if table.required and not rows:
            raise SpecError(display, 1, f"no [[{table.name}]] entries")
        result[table.name] = [_validate_entry(row, table, index, display, lines)
                              for index, row in enumerate(rows)]
        _check_unique(result[table.name], table)
    return result


def _validate_entry(row, table, index, display, lines):
    entry = Entry({}, display, table.name, index, lines)
    _fill(entry, row, table)
    return entry


def _fill(entry, row, table):
    """Check ``row``'s keys against ``table`` and store them, defaults filled in, in ``entry``."""
    for key, value in row.items():
        spec = table.field(key)
        if spec is None:
            raise entry.error(f"unknown key '{key}' in [[{table.name}]]", key)
        if not _kind_matches(value, spec.kind):
            raise entry.error(f"'{key}' must be {_kind_name(spec.kind)}", key)
        if spec.choices and value not in spec.choices:
            allowed = ", ".join(repr(choice) for choice in spec.choices)
            raise entry.error(f"bad value {value!r} for '{key}' (expected one of {allowed})", key)
        if spec.pattern and not re.fullmatch(spec.pattern, value):
            raise entry.error(f"bad value {value!r} for '{key}' (must match {spec.pattern})", key)
        if spec.item is not None:
            value = _validate_items(value, spec.item, entry, key)
        entry.values[key] = value
    for spec in table.fields:
        if spec.name in entry.values:
            continue
        if spec.required:
            raise entry.error(f"missing required key '{spec.name}' in [[{table.name}]]")
        entry.values[spec.name] = spec.default


def _validate_items(values, table, parent, key):
    """Validate the inline tables of ``parent``'s list ``key`` against ``table``."""
    items = []
    for position, value in enumerate(values):
        line = parent.lines.item_line(parent.table, parent.index, key, position)
        if not isinstance(value, dict):
            raise SpecError(parent.path, line, f"'{key}' must hold inline tables {{...}}")
        item = Item({}, parent.path, table.name, position, parent.lines, line)
        _fill(item, value, table)
        items.append(item)
    _check_unique(items, table)
    return items


def _check_unique(entries, table):
    for spec in table.fields:
        if not spec.unique:
            continue
        seen = {}
        for entry in entries:
            value = entry[spec.name]
            if value is None:
                continue
            if value in seen:
                first = seen[value]
                raise entry.error(f"duplicate {spec.name} {value!r} in [[{table.name}]] "
                                  f"(first used at line {first.line(spec.name)})", spec.name)
            seen[value] = entry


def check_refs(loaded, tables):
    """Check every ``ref`` field names an existing entry of the target table.

    ``loaded`` maps table names to entry lists across all spec files.
    """
    for table in tables:
        for spec in table.fields:
            if spec.ref is None:
                continue
            known = {entry["name"] for entry in loaded.get(spec.ref, [])}
            for entry in loaded.get(table.name, []):
                value = entry[spec.name]
                if value is not None and value not in known:
                    raise entry.error(f"'{spec.name}' refers to unknown {spec.ref} {value!r}", spec.name)


def unique_across(entries_with_keys, what):
    """Fail on a value used twice across several tables or keys.

    ``entries_with_keys`` is a list of ``(entry, key, value)``.
    """
    seen = {}
    for entry, key, value in entries_with_keys:
        if value in seen:
            first_entry, first_key = seen[value]
            raise entry.error(f"duplicate {what} {value} (also used at "
                              f"{first_entry.path}:{first_entry.line(first_key)})", key)
        seen[value] = (entry, key)
