"""Every operation of the OpenAPI document, driven with generated requests, as every role.

No response may be a 5xx, and every response must match the document: its status code, its
headers, its content type and its body. `FUZZ_EXAMPLES` sets how many requests each
operation gets per role (CI runs a bounded number; see docs/security.md for a longer run).
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.modes import GenerationMode

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
# Requests sent, per operation and status: printed at the end of the run (conftest).
SENT: Counter[tuple[str, int]] = Counter()
ROLES = ("anonymous", "reporter", "other_reporter", "panel", "admin")
# Every built-in check (`--checks all`) but those named here, for the reasons given
# (docs/security.md says the same).
LEFT_OUT = {
    # Business rules that a schema cannot express (a state or resolution that does not
    # exist, a date before an adoption, a report that exists already) refuse some
    # schema-valid requests by design, with 404, 409 or 422.
    "positive_data_acceptance",
}


def _checks():
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    return [check for check in CHECKS.get_all() if check.__name__ not in LEFT_OUT]


@pytest.fixture(scope="module")
def fuzz_tokens(app):
    from app.extensions import db
    from app.services.authorities import create_authority

    with app.app_context():
        tokens = {
            "reporter": create_authority(db.session, "fuzz FRA", "reporter", "FRA").plaintext,
            "other_reporter": create_authority(db.session, "fuzz DEU", "reporter",
                                               "DEU").plaintext,
            "panel": create_authority(db.session, "fuzz panel", "panel", None).plaintext,
            "admin": create_authority(db.session, "fuzz admin", "admin", None).plaintext,
        }
        db.session.remove()
    return tokens


@pytest.fixture(scope="module")
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_as_every_role(case, fuzz_tokens):
    header_info = case.meta.components.get(ParameterLocation.HEADER) if case.meta else None
    headers_mutated = header_info is not None and header_info.mode == GenerationMode.NEGATIVE
    for role in ROLES:
        headers = {}
        if role != "anonymous" and not headers_mutated:
            headers["Authorization"] = f"Bearer {fuzz_tokens[role]}"
        response = case.call_and_validate(headers=headers, checks=_checks())
        SENT[(case.operation.label, response.status_code)] += 1
