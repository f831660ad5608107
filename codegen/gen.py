#!/usr/bin/env python3
"""specdb's code generator: spec/*.toml -> C sources, headers and docs.

    python3 codegen/gen.py --spec spec --out generated

Loads every spec file that has a module in codegen/specs/, validates them
(schema, uniqueness, references across files, per-file rules), and renders
the templates in codegen/templates/.  Output is deterministic and a file is
rewritten only when its content changes.  Any problem in a spec is reported
as ``spec/FILE.toml:LINE: message`` with exit status 1.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from emit import make_environment, render, write_if_changed  # noqa: E402
from oidlock import OidLock  # noqa: E402
from specload import SpecError, check_refs, load_spec  # noqa: E402
from specs import aggregates, ast, casts, catalog, errors, functions, keywords, operators, settings, types, wire  # noqa: E402

SPEC_MODULES = [errors, types, settings, keywords, ast.PARSE_TREE, catalog, functions, aggregates, operators, casts,
                ast.BOUND_EXPR, ast.PLAN, wire]


class Context:
    """What spec modules share while producing outputs."""

    def __init__(self, spec_dir, env, loaded):
        self.oid_lock = OidLock(spec_dir)
        self.env = env
        self.loaded = {module.FILE: tables for module, tables in loaded.items()}  # file -> tables


def load_all(spec_dir):
    """Load and validate every spec file; returns {module: {table: entries}}."""
    loaded = {}
    all_entries = {}
    for module in SPEC_MODULES:
        path = Path(spec_dir) / module.FILE
        display = str(Path(spec_dir) / module.FILE)
        if not path.exists():
            raise SpecError(display, 0, "spec file is missing")
        loaded[module] = load_spec(path, module.TABLES, display)
        all_entries.update(loaded[module])
    check_refs(all_entries, [table for module in SPEC_MODULES for table in module.TABLES])
    for module in SPEC_MODULES:
        if hasattr(module, "check"):
            module.check(loaded[module])
    return loaded


def generate(spec_dir, out_dir):
    """Generate everything; returns the list of files that were rewritten."""
    loaded = load_all(spec_dir)
    env = make_environment()
    ctx = Context(spec_dir, env, loaded)
    # Every output first: checks across spec files run while outputs are made,
    # and nothing may be written from a bad spec.
    outputs = [output for module in SPEC_MODULES for output in module.outputs(loaded[module], ctx)]
    written = []
    for output in outputs:
        target = Path(out_dir) / output.path
        if write_if_changed(target, render(env, output)):
            written.append(str(target))
    ctx.oid_lock.save()
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", required=True, help="folder holding the spec files")
    parser.add_argument("--out", required=True, help="folder to generate into")
    parser.add_argument("--stamp", help="file to touch after a successful run (for the build)")
    args = parser.parse_args(argv)
    try:
        written = generate(args.spec, args.out)
    except SpecError as exc:
        print(exc, file=sys.stderr)
        return 1
    for path in written:
        print(f"codegen: wrote {path}")
    if args.stamp:
        Path(args.stamp).touch()
    return 0


if __name__ == "__main__":
    sys.exit(main())
