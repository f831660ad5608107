"""spec/errors.toml: the SQLSTATE table -> error code enum, lookups, docs."""

import re

from emit import Output
from specload import Field, Table

FILE = "errors.toml"

TABLES = [
    Table("class", [
        Field("code", str, required=True, unique=True, pattern=r"[0-9A-Z]{2}"),
        Field("name", str, required=True),
    ]),
    Table("error", [
        Field("sqlstate", str, required=True, unique=True, pattern=r"[0-9A-Z]{5}"),
        Field("name", str, required=True, unique=True, pattern=r"[a-z][a-z0-9_]*"),
        Field("condition", str, pattern=r"[a-z][a-z0-9_]*"),
        Field("kind", str, required=True, choices=("success", "warning", "error")),
        Field("message", str, required=True),
    ]),
]

_CONVERSION = re.compile(r"%(.)")


def check(loaded):
    classes = {entry["code"] for entry in loaded["class"]}
    for entry in loaded["error"]:
        if entry["sqlstate"][:2] not in classes:
            raise entry.error(f"SQLSTATE {entry['sqlstate']} has no [[class]] "
                              f"with code {entry['sqlstate'][:2]!r}", "sqlstate")
        for conversion in _CONVERSION.findall(entry["message"]):
            if conversion not in "s%":
                raise entry.error(f"message may only use %s placeholders, not %{conversion}", "message")


def outputs(loaded, ctx):
    classes = {entry["code"]: index for index, entry in enumerate(loaded["class"])}
    errors = []
    for entry in loaded["error"]:
        errors.append({
            "sqlstate": entry["sqlstate"],
            "name": entry["name"],
            "macro": entry["name"].upper(),
            "condition": entry["condition"] or entry["name"],
            "kind": entry["kind"].upper(),
            "message": entry["message"],
            "class_index": classes[entry["sqlstate"][:2]],
        })
    by_sqlstate = sorted(range(len(errors)), key=lambda i: errors[i]["sqlstate"])
    by_condition = sorted(range(len(errors)), key=lambda i: (errors[i]["condition"], i))
    context = {
        "classes": [{"code": entry["code"], "name": entry["name"]} for entry in loaded["class"]],
        "errors": errors,
        "by_sqlstate": by_sqlstate,
        "by_condition": by_condition,
    }
    sources = (FILE,)
    return [
        Output("include/sdb_errcodes.h", "errcodes.h.j2", sources, context),
        Output("src/sdb_errcodes.c", "errcodes.c.j2", sources, context),
        Output("docs/reference/errors.md", "errors.md.j2", sources, context),
    ]
