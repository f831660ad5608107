"""spec/settings.toml: configuration parameters -> settings struct, table, docs.

The hand-written runtime/common/settings.c parses values, files and --set
options by walking the table generated here.
"""

import re

from emit import Output
from specload import Field, Table

FILE = "settings.toml"

MEMORY_UNITS = ("B", "kB", "MB")
TIME_UNITS = ("us", "ms", "s", "min")
CONTEXTS = ("internal", "init", "startup", "reload", "session")
# PostgreSQL's name for each context, as pg_settings.context shows it.
PG_CONTEXTS = {"internal": "internal", "init": "internal", "startup": "postmaster",
               "reload": "sighup", "session": "user"}
_KINDS = {"bool": bool, "int": int, "real": float, "string": str, "enum": str}

TABLES = [
    Table("setting", [
        Field("name", str, required=True, unique=True, pattern=r"[A-Za-z][A-Za-z0-9_]*"),
        Field("type", str, required=True, choices=tuple(_KINDS)),
        Field("default", (bool, int, float, str), required=True),
        Field("min", (int, float)),
        Field("max", (int, float)),
        Field("unit", str, choices=MEMORY_UNITS + TIME_UNITS),
        Field("values", list),
        Field("context", str, required=True, choices=CONTEXTS),
        Field("group", str, required=True),
        Field("report", bool, default=False),
        Field("description", str, required=True),
    ]),
]


def check(loaded):
    lowered = {}
    for entry in loaded["setting"]:
        kind = entry["type"]
        name = entry["name"]
        if name.lower() in lowered:
            raise entry.error(f"setting names are case-insensitive: {name!r} repeats "
                              f"{lowered[name.lower()]!r}", "name")
        lowered[name.lower()] = name
        default = entry["default"]
        wanted = _KINDS[kind]
        if not isinstance(default, wanted) or (wanted is int and isinstance(default, bool)):
            if not (wanted is float and isinstance(default, int) and not isinstance(default, bool)):
                raise entry.error(f"'default' must be a {kind} for a {kind} setting", "default")
        numeric = kind in ("int", "real")
        for key in ("min", "max"):
            if numeric and entry[key] is None:
                raise entry.error(f"missing required key '{key}' for a {kind} setting")
            if not numeric and entry[key] is not None:
                raise entry.error(f"'{key}' is only for int and real settings", key)
        if numeric and not entry["min"] <= default <= entry["max"]:
            raise entry.error(f"default {default} is outside min..max", "default")
        if kind == "int" and (isinstance(entry["min"], float) or isinstance(entry["max"], float)):
            raise entry.error("'min' and 'max' of an int setting must be integers", "min")
        if entry["unit"] is not None and not numeric:
            raise entry.error("'unit' is only for int and real settings", "unit")
        if kind == "enum":
            values = entry["values"]
            if not values or any(not isinstance(v, str) for v in values):
                raise entry.error("an enum setting needs 'values', a list of strings")
            if len({v.lower() for v in values}) != len(values):
                raise entry.error("'values' repeats a value", "values")
            if default not in values:
                raise entry.error(f"default {default!r} is not one of 'values'", "default")
        elif entry["values"] is not None:
            raise entry.error("'values' is only for enum settings", "values")


def _c_name(text):
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").upper()


def _c_number(value, kind):
    if kind == "real":
        return repr(float(value))
    return f"INT64_C({value})"


# Multipliers of each unit in bytes or microseconds; must match settings.c.
UNIT_SCALE = {"B": 1, "kB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40,
              "us": 1, "ms": 1000, "s": 1000000, "min": 60000000, "h": 3600000000, "d": 86400000000}


def show_with_unit(value, unit):
    """An int value in ``unit`` as SHOW prints it: the largest exact unit."""
    if value <= 0:
        return str(value)
    family = MEMORY_UNITS + ("GB", "TB") if unit in MEMORY_UNITS else TIME_UNITS + ("h", "d")
    amount = value * UNIT_SCALE[unit]
    for candidate in reversed(family):
        if UNIT_SCALE[candidate] >= UNIT_SCALE[unit] and amount % UNIT_SCALE[candidate] == 0:
            return f"{amount // UNIT_SCALE[candidate]}{candidate}"
    return f"{value}{unit}"


def _default_text(entry):
    value = entry["default"]
    if entry["type"] == "int" and entry["unit"]:
        return show_with_unit(value, entry["unit"])
    if entry["type"] == "bool":
        return "on" if value else "off"
    if entry["type"] == "real":
        return repr(float(value)) if not float(value).is_integer() else str(int(value))
    return str(value)


def outputs(loaded, ctx):
    settings = []
    for entry in sorted(loaded["setting"], key=lambda e: e["name"].lower()):
        kind = entry["type"]
        field = entry["name"].lower()
        settings.append({
            "name": entry["name"],
            "field": field,
            "macro": field.upper(),
            "type": kind.upper(),
            "unit": entry["unit"],
            "context": entry["context"].upper(),
            "pg_context": PG_CONTEXTS[entry["context"]],
            "group": entry["group"],
            "report": entry["report"],
            "description": entry["description"],
            "default_text": _default_text(entry),
            "min": _c_number(entry["min"], kind) if entry["min"] is not None else "0",
            "max": _c_number(entry["max"], kind) if entry["max"] is not None else "0",
            "min_raw": entry["min"],
            "max_raw": entry["max"],
            "choices": [{"text": v, "macro": f"SDB_{field.upper()}_{_c_name(v)}"} for v in entry["values"] or []],
        })
    groups = []
    for setting in settings:
        if setting["group"] not in groups:
            groups.append(setting["group"])
    context = {"settings": settings, "groups": sorted(groups)}
    sample = ctx.env.get_template("specdb.conf.j2").render(**context)
    context["sample_lines"] = sample.splitlines()
    sources = (FILE,)
    return [
        Output("include/sdb_settings.h", "settings.h.j2", sources, context),
        Output("src/sdb_settings.c", "settings.c.j2", sources, context),
        Output("docs/reference/settings.md", "settings.md.j2", sources, context),
    ]
