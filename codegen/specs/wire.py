"""spec/wire.toml: the PostgreSQL v3 protocol messages -> structs, encoders,
bounds-checked decoders (sdb_wire.h / sdb_wire.c) and a reference page."""

import re

from emit import Output
from specload import Field, Table

FILE = "wire.toml"

INT_ENCODINGS = {"int8": 1, "int16": 2, "int32": 4}
ENCODINGS = tuple(INT_ENCODINGS) + ("cstring", "bytes", "fixed", "rest", "struct")
ARRAYS = ("int16", "int32", "zero")
DIRECTIONS = ("frontend", "backend", "both")

_FIELD = Table("field", [
    Field("name", str, required=True, unique=True, pattern=r"[a-z][a-z0-9_]*"),
    Field("encoding", str, required=True, choices=ENCODINGS),
    Field("value", int),
    Field("array", str, choices=ARRAYS),
    Field("length", int),
    Field("struct", str),
])

TABLES = [
    Table("struct", [
        Field("name", str, required=True, unique=True, pattern=r"[A-Z][A-Za-z0-9]*"),
        Field("description", str, required=True),
        Field("fields", list, required=True, item=_FIELD),
    ]),
    Table("message", [
        Field("name", str, required=True, unique=True, pattern=r"[A-Z][A-Za-z0-9]*"),
        Field("direction", str, required=True, choices=DIRECTIONS),
        Field("type", str, pattern=r"[A-Za-z0-9]"),
        Field("shares_type", bool, default=False),
        Field("description", str, required=True),
        Field("fields", list, required=True, item=_FIELD),
    ]),
]

_INT_RANGES = {"int8": (-128, 255), "int16": (-32768, 65535), "int32": (-2**31, 2**31 - 1)}


def _check_field(field, in_struct, last, structs):
    encoding = field["encoding"]
    if field["struct"] is not None and field["struct"] not in structs:
        raise field.error(f"'struct' refers to unknown struct {field['struct']!r}", "struct")
    if field["value"] is not None:
        if encoding not in INT_ENCODINGS:
            raise field.error("'value' is only for int8, int16 and int32 fields", "value")
        if field["array"] is not None:
            raise field.error("an array field cannot have a constant 'value'", "value")
        low, high = _INT_RANGES[encoding]
        if not low <= field["value"] <= high:
            raise field.error(f"value {field['value']} does not fit in {encoding}", "value")
    if (encoding == "fixed") != (field["length"] is not None):
        raise field.error("'length' is required for, and only for, fixed fields", "length")
    if field["length"] is not None and field["length"] < 1:
        raise field.error("'length' must be at least 1", "length")
    if (encoding == "struct") != (field["struct"] is not None):
        raise field.error("'struct' is required for, and only for, struct fields", "struct")
    if encoding == "rest":
        if field["array"] is not None:
            raise field.error("a rest field cannot be an array", "array")
        if not last:
            raise field.error("a rest field must be the last field", "encoding")
    if in_struct:
        if field["array"] is not None:
            raise field.error("a struct's fields cannot be arrays", "array")
        if encoding in ("rest", "struct"):
            raise field.error(f"a struct's fields cannot be {encoding}", "encoding")


def _first_field_encoding(field, structs):
    if field["encoding"] == "struct":
        return structs[field["struct"]]["fields"][0]["encoding"]
    return field["encoding"]


def check(loaded):
    structs = {entry["name"]: entry for entry in loaded["struct"]}
    for entry in loaded["struct"]:
        if not entry["fields"]:
            raise entry.error("a struct needs at least one field", "fields")
        for index, field in enumerate(entry["fields"]):
            _check_field(field, True, index == len(entry["fields"]) - 1, structs)
    by_type = {}
    for entry in loaded["message"]:
        fields = entry["fields"]
        for index, field in enumerate(fields):
            _check_field(field, False, index == len(fields) - 1, structs)
            if field["array"] == "zero" and _first_field_encoding(field, structs) not in ("int8", "cstring"):
                raise field.error("a zero-terminated array's elements must start with an int8 or cstring",
                                  "array")
        if entry["type"] is None:
            if entry["direction"] != "frontend":
                raise entry.error("only frontend messages may be untyped (no 'type')", "direction")
            if not fields or fields[0]["encoding"] != "int32" or fields[0]["array"] is not None:
                raise entry.error("an untyped message must start with an int32 field (its code)", "fields")
            if entry["shares_type"]:
                raise entry.error("'shares_type' needs a 'type'", "shares_type")
            continue
        directions = ("frontend", "backend") if entry["direction"] == "both" else (entry["direction"],)
        for direction in directions:
            by_type.setdefault((direction, entry["type"]), []).append(entry)
    untyped = [entry for entry in loaded["message"] if entry["type"] is None]
    _check_distinct_codes(untyped, "untyped messages")
    for (direction, type_byte), entries in by_type.items():
        if len(entries) == 1:
            continue
        if all(entry["shares_type"] for entry in entries):
            continue
        _check_distinct_codes(entries, f"{direction} messages of type {type_byte!r}")


def _check_distinct_codes(entries, what):
    """Messages sharing a type byte must each start with a distinct constant
    int32 code (unless they all say shares_type), or the receiver could not
    tell them apart."""
    seen = {}
    for entry in entries:
        first = entry["fields"][0] if entry["fields"] else None
        code = first["value"] if first is not None and first["encoding"] == "int32" else None
        if code is None:
            if entry["type"] is None:
                continue  # StartupMessage: its protocol version is its code
            other = next(e for e in entries if e is not entry)
            raise entry.error(f"{entry['name']} shares its type byte with {other['name']} (line {other.line()}) "
                              "but neither sets shares_type nor starts with a constant int32 code", "type")
        if code in seen:
            raise entry.error(f"{what}: {entry['name']} repeats the code {code} of {seen[code]['name']} "
                              f"(line {seen[code].line()})", "fields")
        seen[code] = entry


def snake(name):
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", text)
    return text.lower()


_C_SCALAR = {"int8": "char", "int16": "int16_t", "int32": "int32_t", "cstring": "const char *",
             "bytes": "SdbWireBytes", "rest": "SdbWireBytes"}


def _field_context(field, structs):
    encoding = field["encoding"]
    if encoding == "struct":
        ctype = f"SdbWire{field['struct']}"
        min_size = sum(_min_size(f, structs) for f in structs[field["struct"]]["fields"])
    else:
        ctype = _C_SCALAR.get(encoding, "char")
        min_size = _min_size(field, structs)
    return {
        "name": field["name"],
        "encoding": encoding,
        "value": field["value"],
        "array": field["array"],
        "length": field["length"],
        "struct": snake(field["struct"]) if field["struct"] else None,
        "struct_name": field["struct"],
        "ctype": ctype,
        "min_size": min_size,
    }


def _min_size(field, structs):
    encoding = field["encoding"]
    if encoding in INT_ENCODINGS:
        return INT_ENCODINGS[encoding]
    return {"cstring": 1, "bytes": 4, "fixed": field["length"] or 0, "rest": 0}.get(encoding, 1)


def _names_by_type(messages, direction):
    """[(type byte, "Name" or "Name1/Name2")] of one direction, by type byte."""
    names = {}
    for message in messages:
        if message["type"] and message["direction"] in (direction, "both"):
            names.setdefault(message["type"], []).append(message["name"])
    return [(type_byte, "/".join(names[type_byte])) for type_byte in sorted(names)]


def outputs(loaded, ctx):
    structs = {entry["name"]: entry for entry in loaded["struct"]}
    struct_list = [{
        "name": entry["name"],
        "c_name": snake(entry["name"]),
        "description": entry["description"],
        "fields": [_field_context(field, structs) for field in entry["fields"]],
    } for entry in loaded["struct"]]
    messages = []
    for entry in loaded["message"]:
        fields = [_field_context(field, structs) for field in entry["fields"]]
        messages.append({
            "name": entry["name"],
            "c_name": snake(entry["name"]),
            "macro": snake(entry["name"]).upper(),
            "direction": entry["direction"],
            "type": entry["type"],
            "shares_type": entry["shares_type"],
            "description": entry["description"],
            "fields": fields,
            "has_struct": any(field["value"] is None for field in fields),
            "needs_arena": any(field["array"] for field in fields),
        })
    context = {
        "structs": struct_list,
        "messages": messages,
        "frontend_names": _names_by_type(messages, "frontend"),
        "backend_names": _names_by_type(messages, "backend"),
    }
    sources = (FILE,)
    return [
        Output("include/sdb_wire.h", "wire.h.j2", sources, context),
        Output("src/sdb_wire.c", "wire.c.j2", sources, context),
        Output("docs/reference/wire.md", "wire.md.j2", sources, context),
    ]
