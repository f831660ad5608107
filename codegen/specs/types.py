"""spec/types.toml: SQL data types -> type table (pg_type's facts), OIDs, docs.

Each base type may have an array type; its entry is made here (as PostgreSQL's
genbki does with array_type_oid), so the spec lists only the element type.
"""

from emit import Output
from specload import Field, Table, unique_across

FILE = "types.toml"

_IDENT = r"[a-z_][a-z0-9_]*"
CATEGORIES = tuple("ABCDEGINPRSTUVXZ")  # PostgreSQL's typcategory letters

TABLES = [
    Table("type", [
        Field("name", str, required=True, unique=True, pattern=_IDENT),
        Field("oid", int, unique=True),
        Field("array_oid", int, unique=True),
        Field("has_array", bool, default=True),
        Field("kind", str, default="base", choices=("base", "pseudo")),
        Field("len", int, required=True),
        Field("byval", bool, required=True),
        Field("align", str, required=True, choices=("c", "s", "i", "d")),
        Field("category", str, required=True, choices=CATEGORIES),
        Field("preferred", bool, default=False),
        Field("elem", str, ref="type"),
        Field("input", str, required=True, pattern=_IDENT),
        Field("output", str, required=True, pattern=_IDENT),
        Field("receive", str, pattern=_IDENT),
        Field("send", str, pattern=_IDENT),
        Field("description", str, required=True),
    ]),
]


def check(loaded):
    types = loaded["type"]
    for entry in types:
        if entry["len"] < -2 or entry["len"] == 0:
            raise entry.error("'len' must be positive, -1 (variable length) or -2 (C string)", "len")
        if entry["byval"] and entry["len"] not in (1, 2, 4, 8):
            raise entry.error("a by-value type must be 1, 2, 4 or 8 bytes long", "byval")
        if (entry["receive"] is None) != (entry["send"] is None):
            raise entry.error("give both 'receive' and 'send', or neither", "receive")
        if entry["array_oid"] is not None and not entry["has_array"]:
            raise entry.error("'array_oid' given but has_array = false", "array_oid")
    numbered = [(e, "oid", e["oid"]) for e in types if e["oid"] is not None]
    numbered += [(e, "array_oid", e["array_oid"]) for e in types if e["array_oid"] is not None]
    unique_across(numbered, "type OID")


def _row(entry, oid, array_oid, elem_oid):
    return {
        "name": entry["name"],
        "macro": entry["name"].upper(),
        "oid": oid,
        "array_oid": array_oid,
        "elem_oid": elem_oid,
        "kind": entry["kind"].upper(),
        "len": entry["len"],
        "byval": entry["byval"],
        "align": entry["align"],
        "category": entry["category"],
        "preferred": entry["preferred"],
        "input": entry["input"],
        "output": entry["output"],
        "receive": entry["receive"],
        "send": entry["send"],
        "description": entry["description"],
    }


def outputs(loaded, ctx):
    lock = ctx.oid_lock
    types = loaded["type"]
    for entry in types:
        for key in ("oid", "array_oid"):
            if entry[key] is not None:
                lock.reserve(entry[key])
    oids = {e["name"]: e["oid"] if e["oid"] is not None else lock.issue(f"type:{e['name']}") for e in types}
    rows = []
    for entry in types:
        array_oid = 0
        if entry["has_array"]:
            array_oid = entry["array_oid"]
            if array_oid is None:
                array_oid = lock.issue(f"type:_{entry['name']}")
        elem_oid = oids[entry["elem"]] if entry["elem"] else 0
        rows.append(_row(entry, oids[entry["name"]], array_oid, elem_oid))
    for base, entry in zip(list(rows), types):
        if not base["array_oid"]:
            continue
        rows.append({
            **base,
            "name": "_" + base["name"], "macro": base["macro"] + "_ARRAY",
            "oid": base["array_oid"], "array_oid": 0, "elem_oid": base["oid"],
            "kind": base["kind"], "len": -1, "byval": False,
            "align": "d" if base["align"] == "d" else "i",
            "category": "A", "preferred": False,
            "input": "array_in", "output": "array_out", "receive": "array_recv", "send": "array_send",
            "description": f"array of {base['name']}",
        })
    by_oid = sorted(rows, key=lambda row: row["oid"])
    by_name = sorted(range(len(by_oid)), key=lambda i: by_oid[i]["name"])
    context = {"types": by_oid, "by_name": by_name, "spec_order": rows}
    sources = (FILE,)
    return [
        Output("include/sdb_types.h", "types.h.j2", sources, context),
        Output("src/sdb_types.c", "types.c.j2", sources, context),
        Output("docs/reference/types.md", "types.md.j2", sources, context),
    ]
