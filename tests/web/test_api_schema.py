"""Schemathesis throws generated requests at every API operation, from its own OpenAPI
document: never a server error, and every answer keeps to the document.

Left out: schemathesis's check that data valid by the schema is accepted. The service rightly
refuses data no JSON schema can describe (a date in the future, a report before its
incident), answering 422 with the field and the reason, which the document declares.
"""

from typing import ClassVar

import schemathesis
from flask import Request
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.datastructures import ImmutableMultiDict

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


class ReadArgs(ImmutableMultiDict):  # type: ignore[type-arg]
    """The query string, noting each name a view reads."""

    names: ClassVar[set[str]] = set()

    def get(self, key, default=None, type=None):  # type: ignore[no-untyped-def]
        ReadArgs.names.add(key)
        return super().get(key, default, type)

    def __getitem__(self, key):  # type: ignore[no-untyped-def]
        ReadArgs.names.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):  # type: ignore[no-untyped-def]
        ReadArgs.names.add(key)
        return super().__contains__(key)


def test_every_parameter_and_status_of_every_endpoint_is_in_the_document(
    app, sessions, partnership, world
):
    """Each query parameter a view reads is declared, and a bad value of it gets a status the
    document lists for that operation (a 422 on /outbox's undeclared ``limit`` was not)."""

    class Recording(Request):
        parameter_storage_class = ReadArgs

    app.request_class = Recording
    client = app.test_client()
    headers = {"Authorization": f"Bearer {make_token(sessions, partnership, 'manager')}"}
    document = client.get("/api/v1/openapi.json").get_json()
    for template, operations in document["paths"].items():
        path = template.format(
            reference=world["case"],
            message_id=world["message"],
            document_id=world["document"],
            note_id=world["note"],
        )
        for method, operation in operations.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            body = {"json": {}} if "requestBody" in operation else {}
            ReadArgs.names = set()
            answer = client.open(path, method=method.upper(), headers=headers, **body)
            assert str(answer.status_code) in operation["responses"], (method, template)
            assert ReadArgs.names <= declared, (method, template, ReadArgs.names - declared)
            for name in ReadArgs.names:
                for value in ("x", "-1", "99999999999", ""):
                    answer = client.open(
                        path, method=method.upper(), headers=headers, query_string={name: value}
                    )
                    status = str(answer.status_code)
                    assert status in operation["responses"], (method, template, name, value)
