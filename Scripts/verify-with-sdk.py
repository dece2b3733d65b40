#!/usr/bin/env python3
"""Verifies requests signed by mediaform with the official Alibaba Cloud SDK's own signing functions.

Reads the JSON lines written by the Swift test SDKCaptureTests (Scripts/test sets MEDIAFORM_CAPTURE_DIR) and
recomputes each signature with alibabacloud_tea_openapi's Utils.get_authorization (V3) or Utils.get_rpcsignature
(V1), exactly as the SDK does before sending. Exits 1 on any mismatch.
"""
import json
import pathlib
import sys

from alibabacloud_tea_openapi.utils import Utils


class Request:
    def __init__(self, method, query, headers):
        self.method = method
        self.pathname = "/"
        self.query = query
        self.headers = headers


def main():
    path = pathlib.Path(sys.argv[1]) / "signed-requests.jsonl"
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    if not records:
        print("verify-with-sdk: no captured requests", file=sys.stderr)
        return 1
    failures = 0
    for record in records:
        query = dict(record["query"])
        headers = record["headers"]
        if "authorization" in headers:
            auth = headers["authorization"]
            signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
            # The SDK signs every header it is given: give it exactly the ones mediaform signed.
            expected = Utils.get_authorization(
                Request(record["method"], query, {name: headers[name] for name in signed}),
                "ACS3-HMAC-SHA256", headers["x-acs-content-sha256"], auth.split("Credential=")[1].split(",")[0],
                record["secret"])
            ok = expected == auth
        else:
            signature = query.pop("Signature")
            expected = Utils.get_rpcsignature(query, record["method"], record["secret"])
            ok = expected == signature
        if not ok:
            failures += 1
            print(f"verify-with-sdk: mismatch for {headers.get('x-acs-action')}: SDK says {expected}", file=sys.stderr)
    print(f"verify-with-sdk: {len(records)} requests signed by mediaform, {failures} rejected by the official SDK's signing code")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
