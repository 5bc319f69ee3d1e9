"""The resilience rules' compliant and non-compliant cases (policies/securecart_rules/resilience.py), defined beside
the report's tests (tests/test_resilience.py) and collected here for the pack's per-rule coverage."""

from tests.test_resilience import CASES

__all__ = ["CASES"]
