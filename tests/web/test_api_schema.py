"""Schemathesis throws generated requests at every API operation, from its own OpenAPI
document: never a server error, and every answer keeps to the document.

Left out: schemathesis's check that data valid by the schema is accepted. The service rightly
refuses data no JSON schema can describe (a date in the future, a report before its
incident), answering 422 with the field and the reason, which the document declares.
"""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import make_token

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_the_api_never_errors_and_keeps_to_its_schema(app, sessions, partnership, world):
    token = make_token(sessions, partnership, "manager")
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
        def exercise(case):  # type: ignore[no-untyped-def]
            case.call_and_validate(headers=headers, checks=CHECKS)

        exercise()
