#!/usr/bin/python3
"""validate_json.py -- validate a JSON document against a JSON schema.

usage: validate_json.py SCHEMA DOCUMENT [SHA256SUMS]

With SHA256SUMS (lines "HEX  NAME", as sha256sum writes them), the schema's
SHA-256 must match its line first.  The draft comes from the schema's
"$schema" (2019-09 and 2020-12 are what the SPDX schemas use).

Exit status: 0 valid; 1 invalid (the errors on stdout, one per line, with
the JSON path); 2 usage, unreadable files or a checksum mismatch; 77 when
the jsonschema module is missing (the caller skips).

Run by tests/unit/check_report.c with Debian's /usr/bin/python3 and
python3-jsonschema; it never fetches anything (the schemas are local and
"$ref"s inside them are local).
"""
import hashlib
import json
import os
import sys


def fail(msg, status=2):
    print("validate_json: " + msg, file=sys.stderr)
    sys.exit(status)


def check_sum(schema_path, sums_path):
    name = os.path.basename(schema_path)
    with open(schema_path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    with open(sums_path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2 and parts[1].lstrip("*") == name:
                if parts[0].lower() != digest:
                    fail("%s: SHA-256 %s does not match %s in %s" % (name, digest, parts[0], sums_path))
                return
    fail("%s is not listed in %s" % (name, sums_path))


def main(argv):
    if len(argv) not in (3, 4):
        fail(__doc__.strip().splitlines()[2])
    schema_path, doc_path = argv[1], argv[2]
    if len(argv) == 4:
        check_sum(schema_path, argv[3])
    try:
        import jsonschema
    except ImportError:
        fail("the python3 jsonschema module is missing (apt-get install python3-jsonschema)", 77)
    try:
        with open(schema_path, encoding="utf-8") as f:
            schema = json.load(f)
        with open(doc_path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        fail(str(e))
    draft = schema.get("$schema", "")
    if "2020-12" in draft:
        cls = jsonschema.Draft202012Validator
    elif "2019-09" in draft:
        cls = jsonschema.Draft201909Validator
    else:
        cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.absolute_path))
    for e in errors[:50]:
        path = "/".join(str(p) for p in e.absolute_path)
        print("/%s: %s" % (path, e.message[:500]))
    if errors:
        print("%d error(s)" % len(errors))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
