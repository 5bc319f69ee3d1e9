"""JSON policy documents, written the same way by every tier (stable key order, so diffs stay quiet)."""

import json
from typing import Any


def policy_document(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)
