#!/usr/bin/env python3
"""Proves the JSON Schemas in schemas/ agree with `mediaform validate` on every example and fixture.

- every YAML file in examples/ and Tests/Fixtures/valid/ passes its schema;
- every invalid fixture (Tests/Fixtures/invalid/*) fails its schema, except those listed in
  Tests/Fixtures/invalid/SCHEMA_BLIND.txt with the reason a schema cannot see the problem.

YAML is read with ruamel.yaml in YAML 1.2 mode, like mediaform itself (PyYAML would read `no` as false).
Run by Scripts/test; needs `jsonschema` and `ruamel.yaml` (Scripts/test installs them in .venv-tests).
"""
import json
import pathlib
import sys

import jsonschema
from referencing import Registry, Resource
from ruamel.yaml import YAML

ROOT = pathlib.Path(__file__).resolve().parent.parent


def load_schemas():
    resources = []
    schemas = {}
    for name in ("project", "manifest"):
        schema = json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        schemas[name] = schema
        resources.append((schema["$id"], Resource.from_contents(schema)))
    registry = Registry().with_resources(resources)
    return {
        name: jsonschema.Draft202012Validator(schema, registry=registry, format_checker=None)
        for name, schema in schemas.items()
    }


def problems(validators, path):
    """Schema errors for one file, or a parse error (which counts as a rejection)."""
    kind = "project" if path.name == "mediaform.yaml" else "manifest"
    yaml = YAML(typ="safe", pure=True)
    yaml.version = (1, 2)
    try:
        document = yaml.load(path.read_bytes())
    except Exception as error:  # noqa: BLE001 - any parse failure is a rejection
        return [f"not loadable: {type(error).__name__}"]
    if document is None:
        return ["empty document"]
    try:
        # ruamel still resolves timestamps; mediaform reads them as the strings they are.
        document = json.loads(json.dumps(document, allow_nan=False, default=str))
    except ValueError as error:
        return [f"not representable as JSON: {error}"]
    return [e.message for e in validators[kind].iter_errors(document)]


def yaml_files(directory):
    return sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml"))


def main():
    validators = load_schemas()
    failures = []
    checked = 0
    for base in [ROOT / "examples", ROOT / "Tests" / "Fixtures" / "valid"]:
        for path in yaml_files(base):
            if ".github" in path.parts or path.parent.name == "ci":
                continue  # CI recipes are not mediaform files
            checked += 1
            found = problems(validators, path)
            if found:
                failures.append(f"{path.relative_to(ROOT)}: valid file rejected by the schema: {found[0]}")

    invalid_root = ROOT / "Tests" / "Fixtures" / "invalid"
    blind = {}
    for line in (invalid_root / "SCHEMA_BLIND.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, why = line.partition(":")
            blind[name.strip()] = why.strip()
    fixtures = sorted(p for p in invalid_root.iterdir() if p.is_dir())
    for fixture in fixtures:
        rejected = any(problems(validators, path) for path in yaml_files(fixture))
        checked += 1
        if fixture.name in blind:
            if rejected:
                failures.append(f"{fixture.name}: listed in SCHEMA_BLIND.txt but the schema rejects it; remove it from the list")
        elif not rejected:
            failures.append(f"{fixture.name}: the schema accepts this invalid fixture (tighten the schema, or list it in SCHEMA_BLIND.txt with the reason)")
    for name in blind:
        if not (invalid_root / name).is_dir():
            failures.append(f"SCHEMA_BLIND.txt names '{name}', which is not a fixture")

    for failure in failures:
        print(f"check-schemas: {failure}", file=sys.stderr)
    print(f"check-schemas: {checked} files/fixtures checked, {len(failures)} problems ({len(blind)} fixtures are schema-blind by design)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
