"""Every API endpoint for every role: the expected answer, nothing else. A case a role may
not see is 404 through the API exactly as on the pages."""

import io

import pytest

from tests.factories import application
from tests.web.conftest import API_PEOPLE as ROLES
from tests.web.conftest import PDF
from tests.web.test_access import TABLE as PAGE_TABLE

#: endpoint → {role: status}; None is no token. "case" is in appeal, police and council on it.
TABLE = {
    ("GET", "/api/v1/openapi.json"): {
        "manager": 200,
        "viewer": 200,
        "chair": 200,
        "agency-in": 200,
        "agency-out": 200,
        "panel-in": 200,
        "panel-out": 200,
        "other-manager": 200,
        None: 200,
    },
    ("GET", "/api/v1/cases"): {
        "manager": 200,
        "viewer": 200,
        "chair": 200,
        "agency-in": 200,
        "agency-out": 200,
        "panel-in": 200,
        "panel-out": 200,
        "other-manager": 200,
        None: 401,
    },
    ("GET", "/api/v1/cases/{case}"): {
        "manager": 200,
        "viewer": 200,
        "chair": 200,
        "agency-in": 200,
        "agency-out": 404,
        "panel-in": 200,
        "panel-out": 404,
        "other-manager": 404,
        None: 401,
    },
    # Another partnership's manager may log cases, but not naming this one's agencies.
    ("POST", "/api/v1/cases"): {
        "manager": 201,
        "viewer": 403,
        "chair": 403,
        "agency-in": 403,
        "agency-out": 403,
        "panel-in": 403,
        "panel-out": 403,
        "other-manager": 422,
        None: 401,
    },
    ("POST", "/api/v1/cases/{case}/events"): {
        "manager": 200,
        "viewer": 403,
        "chair": 403,
        "agency-in": 403,
        "agency-out": 404,
        "panel-in": 403,
        "panel-out": 404,
        "other-manager": 404,
        None: 401,
    },
    ("POST", "/api/v1/cases/{case}/chronology"): {
        "manager": 201,
        "viewer": 403,
        "chair": 403,
        "agency-in": 201,
        "agency-out": 404,
        "panel-in": 403,
        "panel-out": 404,
        "other-manager": 404,
        None: 401,
    },
    ("POST", "/api/v1/cases/{case}/deadlines/extensions"): {
        "manager": 200,
        "viewer": 403,
        "chair": 403,
        "agency-in": 403,
        "agency-out": 404,
        "panel-in": 403,
        "panel-out": 404,
        "other-manager": 404,
        None: 401,
    },
    ("POST", "/api/v1/cases/{case}/corrections"): {
        "manager": 200,
        "viewer": 403,
        "chair": 403,
        "agency-in": 403,
        "agency-out": 404,
        "panel-in": 403,
        "panel-out": 404,
        "other-manager": 404,
        None: 401,
    },
    ("POST", "/api/v1/cases/{case}/reverse"): {
        "manager": 200,
        "viewer": 403,
        "chair": 403,
        "agency-in": 403,
        "agency-out": 404,
        "panel-in": 403,
        "panel-out": 404,
        "other-manager": 404,
        None: 401,
    },
    ("POST", "/api/v1/cases/{case}/agencies"): {
        "manager": 201,
        "viewer": 403,
        "chair": 403,
        "agency-in": 403,
        "agency-out": 404,
        "panel-in": 403,
        "panel-out": 404,
        "other-manager": 404,
        None: 401,
    },
    ("POST", "/api/v1/cases/{case}/agencies/remove"): {
        "manager": 200,
        "viewer": 403,
        "chair": 403,
        "agency-in": 403,
        "agency-out": 404,
        "panel-in": 403,
        "panel-out": 404,
        "other-manager": 404,
        None: 401,
    },
    ("POST", "/api/v1/cases/{case}/incidents"): {
        "manager": 201,
        "viewer": 403,
        "chair": 403,
        "agency-in": 403,
        "agency-out": 404,
        "panel-in": 403,
        "panel-out": 404,
        "other-manager": 404,
        None: 401,
    },
    ("POST", "/api/v1/cases/{case}/complaints"): {
        "manager": 201,
        "viewer": 403,
        "chair": 403,
        "agency-in": 403,
        "agency-out": 404,
        "panel-in": 403,
        "panel-out": 404,
        "other-manager": 404,
        None: 401,
    },
    ("GET", "/api/v1/outbox"): {
        "manager": 200,
        "viewer": 200,
        "chair": 200,
        "agency-in": 200,
        "agency-out": 200,
        "panel-in": 200,
        "panel-out": 200,
        "other-manager": 200,
        None: 401,
    },
    ("POST", "/api/v1/outbox/{message}/retry"): {
        "manager": 200,
        "viewer": 403,
        "chair": 403,
        "agency-in": 403,
        "agency-out": 403,
        "panel-in": 403,
        "panel-out": 403,
        "other-manager": 404,
        None: 401,
    },
    ("GET", "/api/v1/cases/{case}/documents"): {
        **dict.fromkeys(ROLES, 200),
        "agency-out": 404,
        "panel-out": 404,
        "other-manager": 404,
        None: 401,
    },
    ("POST", "/api/v1/cases/{case}/documents"): {
        **dict.fromkeys(ROLES, 201),
        "viewer": 403,
        "agency-out": 404,
        "panel-out": 404,
        "other-manager": 404,
        None: 401,
    },
    ("GET", "/api/v1/cases/{case}/documents/{document}"): {
        **dict.fromkeys(ROLES, 200),
        "agency-out": 404,
        "panel-out": 404,
        "other-manager": 404,
        None: 401,
    },
    ("GET", "/api/v1/cases/{case}/notes"): {
        **dict.fromkeys(ROLES, 200),
        "agency-out": 404,
        "panel-out": 404,
        "other-manager": 404,
        None: 401,
    },
    ("POST", "/api/v1/cases/{case}/notes"): {
        **dict.fromkeys(ROLES, 201),
        "viewer": 403,
        "agency-out": 404,
        "panel-out": 404,
        "other-manager": 404,
        None: 401,
    },
    # The world's note is the manager's, written just now: only they edit it; a correction
    # is theirs or another manager's of the partnership.
    ("POST", "/api/v1/cases/{case}/notes/{note}"): {
        **dict.fromkeys(ROLES, 403),
        "manager": 200,
        "agency-out": 404,
        "panel-out": 404,
        "other-manager": 404,
        None: 401,
    },
    ("POST", "/api/v1/cases/{case}/notes/{note}/correction"): {
        **dict.fromkeys(ROLES, 403),
        "manager": 201,
        "agency-out": 404,
        "panel-out": 404,
        "other-manager": 404,
        None: 401,
    },
}
#: Multipart bodies (a file), made afresh for each request.
FORMS = {
    "/api/v1/cases/{case}/documents": lambda: {
        "title": "Panel minutes",
        "agency": "Leicestershire Police",
        "file": (io.BytesIO(PDF), "minutes.pdf"),
    },
}
BODIES = {
    "/api/v1/cases/{case}/corrections": {
        "changes": {"victim.name": "Alex Morgen"},
        "reason": "Typed wrongly.",
    },
    "/api/v1/cases/{case}/reverse": {"event": "appeal", "reason": "Recorded on the wrong case."},
    "/api/v1/cases/{case}/agencies": {"agency": "Example Housing Association"},
    "/api/v1/cases/{case}/agencies/remove": {
        "agency": "Charnwood Borough Council",
        "reason": "Not involved after all.",
    },
    "/api/v1/cases/{case}/incidents": {"occurred_on": "2025-10-01", "description": "Shouting."},
    "/api/v1/cases/{case}/complaints": {
        "incident": 0,
        "reported_on": "2025-10-01",
        "reported_to": "council",
    },
    "/api/v1/cases/{case}/notes": {
        "kind": "visit",
        "occurred_on": "2025-11-27",
        "with_whom": "the victim",
        "text": "Visited the victim.",
    },
    "/api/v1/cases/{case}/notes/{note}": {
        "kind": "call",
        "occurred_on": "2025-11-27",
        "text": "Called the victim at home.",
    },
    "/api/v1/cases/{case}/notes/{note}/correction": {
        "text": "Called the victim's daughter.",
        "reason": "It was her daughter who answered.",
    },
    "/api/v1/cases": application(),
    "/api/v1/cases/{case}/events": {"event": "withdraw", "reason": "The applicant asked."},
    "/api/v1/cases/{case}/deadlines/extensions": {
        "deadline": "appeal_decision",
        "kind": "pause",
        "due_on": "2027-03-01",
        "reason": "The chair is ill; the applicant was told.",
        "requested_by": "partnership",
    },
    "/api/v1/cases/{case}/chronology": {
        "agency": "Leicestershire Police",
        "occurred_on": "2025-10-02",
        "summary": "Visited the victim.",
    },
}


@pytest.mark.parametrize(
    ("method", "path", "role", "expected"),
    [(m, p, role, status) for (m, p), roles in TABLE.items() for role, status in roles.items()],
)
def test_every_endpoint_for_every_role(client, world, tokens, method, path, role, expected):
    url = path.format(
        case=world["case"], message=world["message"], document=world["document"], note=world["note"]
    )
    headers = {"Authorization": f"Bearer {tokens[role]}"} if role else {}
    if path in FORMS and method == "POST":
        response = client.open(url, method=method, data=FORMS[path](), headers=headers)
    else:
        response = client.open(url, method=method, json=BODIES.get(path), headers=headers)
    assert response.status_code == expected, response.get_data(as_text=True)


def test_lists_hold_only_what_the_role_may_see(client, world, tokens):
    def references(role):
        answer = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {tokens[role]}"})
        return [case["reference"] for case in answer.get_json()["cases"]]

    assert references("manager") == [world["case"]]
    assert references("agency-in") == [world["case"]]
    assert references("agency-out") == []
    assert references("panel-out") == []
    assert references("other-manager") == []
    outbox = client.get(
        "/api/v1/outbox", headers={"Authorization": f"Bearer {tokens['agency-out']}"}
    )
    assert outbox.get_json()["messages"] == []


def test_every_route_is_in_a_role_table(app):
    """A new route without a row here fails, so access control is decided, not assumed."""
    covered = {path.split("?")[0] for _, path in PAGE_TABLE} | {path for _, path in TABLE}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = rule.rule
        for name in ("reference", "message_id", "recommendation_id", "event", "extension"):
            path = path.replace(f"<{name}>", "{x}")
        path = (
            path.replace("<int(max=2147483647):message_id>", "{message}")
            .replace("<int(max=2147483647):recommendation_id>", "{recommendation}")
            .replace("<any(pdf, json):extension>", "{x}")
            .replace("<any(csv, json):extension>", "{x}")
            .replace("<int(max=1000):number>", "1")
            .replace("<int(max=2147483647):person_id>", "{person}")
            .replace("<token>", "{x}")
            .replace("<any(edit, approve, cancel):action>", "approve")
            .replace("/letters/<kind>", "/letters/findings")
            .replace(
                "<int(max=2100):start_year>/<int(max=2147483647):number>/<name>",
                "2025/1/figures.{x}",
            )
            .replace(
                "<int(max=2100):start_year>/<int(max=2147483647):number>/<path:name>",
                "2025/1/figures.{x}",
            )
            .replace("<int(max=2147483647):document_id>", "{x}")
            .replace("<int(max=2147483647):note_id>", "{x}")
        )
        candidates = {c.replace("{case}", "{x}").replace("CT-1999-999", "{x}") for c in covered}
        shape = path.replace("{message}", "{x}").replace("{recommendation}", "{x}")
        known = {
            c.replace("{message}", "{x}")
            .replace("{recommendation}", "{x}")
            .replace("/withdraw", "/{x}")
            .replace("/decide_appeal", "/{x}")
            .replace("subject-access.json", "subject-access.{x}")
            .replace("figures.csv", "figures.{x}")
            .replace("figures.json", "figures.{x}")
            .replace("data-return.csv", "data-return.{x}")
            .replace("data-return.json", "data-return.{x}")
            .replace("not-a-live-link", "{x}")
            .replace("{document}", "{x}")
            .replace("{note}", "{x}")
            for c in candidates
        }
        if shape not in known:
            missing.append(rule.rule)
    assert missing == [], "routes with no row in a role table"


def test_the_table_has_every_role_for_every_endpoint():
    roles = {*ROLES, None}
    assert [route for route, expected in TABLE.items() if set(expected) != roles] == []
