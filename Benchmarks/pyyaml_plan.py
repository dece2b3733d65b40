#!/usr/bin/env python3
"""The baseline of issue 18: the same diff as a no-frills script would do it, with PyYAML (its C loader) and hashlib.

    pyyaml_plan.py PROJECT_DIR     prints "N to change of M" (assets whose fingerprints differ from the state's)

It reads mediaform.yaml and every assets/**/*.yaml, merges defaults (tags combined, the asset's values winning),
hashes each asset's upload-time inputs and managed fields as canonical JSON (sorted keys) with SHA-256, and
compares them with the fingerprints in mediaform.state.json (state format 2 leaves out the fingerprints its values
give: the script then hashes the record's values the same way). It validates nothing and signs nothing: a floor for
"a script around the SDK", not a reimplementation (its fingerprints need not equal mediaform's byte for byte).
"""
import glob
import hashlib
import json
import os
import sys

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def recorded_prints(record, shared_inputs):
    """The record's fingerprints: as written, or hashed from its values as the manifest's are."""
    written = record.get("fingerprints", {})
    upload, mutable = written.get("upload"), written.get("mutable")
    if upload is None:
        inputs = {**shared_inputs, **(record.get("uploadInputs") or {})}
        inputs = {k: v for k, v in inputs.items() if v is not None}
        inputs["source"] = record["source"]
        upload = hashlib.sha256(canonical(inputs).encode()).hexdigest()
    if mutable is None:
        fields = dict(record["fields"])
        if "tags" in fields:
            fields["tags"] = sorted(fields["tags"])
        mutable = hashlib.sha256(canonical(fields).encode()).hexdigest()
    return upload, mutable


def main():
    d = sys.argv[1]
    with open(os.path.join(d, "mediaform.yaml"), "rb") as f:
        project = yaml.load(f, Loader=Loader)
    defaults = project.get("defaults") or {}
    app = project.get("appId", "app-1000000")
    state_path = os.path.join(d, "mediaform.state.json")
    records = {}
    shared_inputs = {}
    if os.path.exists(state_path):
        with open(state_path, "rb") as f:
            state = json.load(f)
        records = state.get("assets", {})
        shared_inputs = state.get("uploadDefaults", {})
    changed = total = 0
    for path in sorted(glob.glob(os.path.join(d, "assets", "**", "*.yaml"), recursive=True)):
        with open(path, "rb") as f:
            for asset in (yaml.load(f, Loader=Loader) or {}).get("assets") or []:
                total += 1
                merged = {**defaults, **asset}
                tags = list(dict.fromkeys((defaults.get("tags") or []) + (asset.get("tags") or [])))
                key = merged.get("key") or merged["source"].split("://", 1)[-1]
                upload = {k: merged[k] for k in ("source", "fileExtension", "fileSize", "workflow", "metadata", "entity")
                          if k in merged}
                upload["appId"] = app
                mutable = {k: merged[k] for k in ("title", "description", "category", "cover") if k in merged}
                if tags:
                    mutable["tags"] = sorted(tags)
                prints = (hashlib.sha256(canonical(upload).encode()).hexdigest(),
                          hashlib.sha256(canonical(mutable).encode()).hexdigest())
                record = records.get(key)
                if record is None or recorded_prints(record, shared_inputs) != prints:
                    changed += 1
    print(f"{changed} to change of {total}")


if __name__ == "__main__":
    main()
