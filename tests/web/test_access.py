"""Every staff route for every role, and signed out: the expected answer, nothing else."""

import io
import re

import pytest

from tests.conftest import make_token
from tests.web.conftest import PASSWORD, PDF

OK, SIGN_IN, FORBIDDEN, NOT_FOUND = 200, "sign-in", 403, 404
#: The public application form is the same for everyone, signed in or not: a page after
#: the first question leads back to the start until an application has been started.
START = "start"
ROLES = ("manager", "viewer", "chair", "agency-in", "agency-out", "panel-in", "panel-out")
ROLES += ("other-manager", None)


def everyone(expected):
    return dict.fromkeys(ROLES, expected)


#: route → {role: expected}, for every role: "case" is a case in appeal with the police and
#: the council involved; "-in" people are from the police, "-out" people from the housing
#: provider, which is not on the case. tests/web/test_api_access.py does the same for the API
#: and fails for any route without a row here or there.
TABLE = {
    ("GET", "/"): {
        "manager": OK,
        "viewer": OK,
        "chair": OK,
        "agency-in": OK,
        "agency-out": OK,
        "panel-in": OK,
        "panel-out": OK,
        "other-manager": OK,
        None: SIGN_IN,
    },
    # Everyone signed in has a tasks page (what is on it: tests/web/test_tasks.py).
    ("GET", "/tasks"): {
        "manager": OK,
        "viewer": OK,
        "chair": OK,
        "agency-in": OK,
        "agency-out": OK,
        "panel-in": OK,
        "panel-out": OK,
        "other-manager": OK,
        None: SIGN_IN,
    },
    # The panel calendar and one's own feed address: everyone signed in. The feed itself
    # needs no sign-in (a calendar app fetches it): an unknown secret is not found.
    ("GET", "/calendar"): {
        "manager": OK,
        "viewer": OK,
        "chair": OK,
        "agency-in": OK,
        "agency-out": OK,
        "panel-in": OK,
        "panel-out": OK,
        "other-manager": OK,
        None: SIGN_IN,
    },
    ("POST", "/calendar/feed"): {
        "manager": OK,
        "viewer": OK,
        "chair": OK,
        "agency-in": OK,
        "agency-out": OK,
        "panel-in": OK,
        "panel-out": OK,
        "other-manager": OK,
        None: SIGN_IN,
    },
    ("GET", "/calendar/not-a-live-link.ics"): everyone(NOT_FOUND),
    # The wording of the letters is the manager's (each partnership its own).
    ("GET", "/letters"): {
        "manager": OK,
        "viewer": FORBIDDEN,
        "chair": FORBIDDEN,
        "agency-in": FORBIDDEN,
        "agency-out": FORBIDDEN,
        "panel-in": FORBIDDEN,
        "panel-out": FORBIDDEN,
        "other-manager": OK,
        None: SIGN_IN,
    },
    ("GET", "/letters/findings"): {
        "manager": OK,
        "viewer": FORBIDDEN,
        "chair": FORBIDDEN,
        "agency-in": FORBIDDEN,
        "agency-out": FORBIDDEN,
        "panel-in": FORBIDDEN,
        "panel-out": FORBIDDEN,
        "other-manager": OK,
        None: SIGN_IN,
    },
    # Publishing is the manager's; a published version is counts only, for the partnership.
    ("POST", "/statistics/publish"): {
        "manager": OK,
        "viewer": FORBIDDEN,
        "chair": FORBIDDEN,
        "agency-in": FORBIDDEN,
        "agency-out": FORBIDDEN,
        "panel-in": FORBIDDEN,
        "panel-out": FORBIDDEN,
        "other-manager": OK,
        None: SIGN_IN,
    },
    ("GET", "/statistics/published/2025/1/figures.csv"): {
        "manager": OK,
        "viewer": OK,
        "chair": OK,
        "agency-in": OK,
        "agency-out": OK,
        "panel-in": OK,
        "panel-out": OK,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    # A letter as sent holds the applicant's details in full: the manager's, as the trail.
    ("GET", "/cases/{case}/messages/{message}"): {
        "manager": OK,
        "viewer": FORBIDDEN,
        "chair": FORBIDDEN,
        "agency-in": FORBIDDEN,
        "agency-out": NOT_FOUND,
        "panel-in": FORBIDDEN,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    # The world's message is not held: the manager is told so (and sent back), others refused.
    ("POST", "/cases/{case}/messages/{message}/approve"): {
        "manager": OK,
        "viewer": FORBIDDEN,
        "chair": FORBIDDEN,
        "agency-in": FORBIDDEN,
        "agency-out": NOT_FOUND,
        "panel-in": FORBIDDEN,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    # Nothing was posted on the world's case: no PDF, whoever asks.
    ("GET", "/cases/{case}/messages/{message}/letter.pdf"): {
        "manager": NOT_FOUND,
        "viewer": FORBIDDEN,
        "chair": FORBIDDEN,
        "agency-in": FORBIDDEN,
        "agency-out": NOT_FOUND,
        "panel-in": FORBIDDEN,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    ("GET", "/cases/{case}"): {
        "manager": OK,
        "viewer": OK,
        "chair": OK,
        "agency-in": OK,
        "agency-out": NOT_FOUND,
        "panel-in": OK,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    ("GET", "/cases/CT-1999-999"): {
        "manager": NOT_FOUND,
        "viewer": NOT_FOUND,
        "chair": NOT_FOUND,
        "agency-in": NOT_FOUND,
        "agency-out": NOT_FOUND,
        "panel-in": NOT_FOUND,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    ("POST", "/outbox/{message}/retry"): {
        "manager": OK,
        "viewer": FORBIDDEN,
        "chair": FORBIDDEN,
        "agency-in": FORBIDDEN,
        "agency-out": FORBIDDEN,
        "panel-in": FORBIDDEN,
        "panel-out": FORBIDDEN,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    ("GET", "/cases/new"): {
        "manager": OK,
        "viewer": FORBIDDEN,
        "chair": FORBIDDEN,
        "agency-in": FORBIDDEN,
        "agency-out": FORBIDDEN,
        "panel-in": FORBIDDEN,
        "panel-out": FORBIDDEN,
        "other-manager": OK,
        None: SIGN_IN,
    },
    ("POST", "/cases/{case}/events/withdraw"): {
        "manager": OK,
        "viewer": FORBIDDEN,
        "chair": FORBIDDEN,
        "agency-in": FORBIDDEN,
        "agency-out": NOT_FOUND,
        "panel-in": FORBIDDEN,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    ("POST", "/cases/{case}/events/decide_appeal"): {
        "manager": OK,
        "viewer": FORBIDDEN,
        "chair": OK,
        "agency-in": FORBIDDEN,
        "agency-out": NOT_FOUND,
        "panel-in": FORBIDDEN,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    ("POST", "/cases/{case}/chronology"): {
        "manager": OK,
        "viewer": FORBIDDEN,
        "chair": FORBIDDEN,
        "agency-in": OK,
        "agency-out": NOT_FOUND,
        "panel-in": FORBIDDEN,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    # Issue 18: corrections, agencies and incidents added later are the manager's.
    ("POST", "/cases/{case}/corrections"): {
        "manager": OK,
        "viewer": FORBIDDEN,
        "chair": FORBIDDEN,
        "agency-in": FORBIDDEN,
        "agency-out": NOT_FOUND,
        "panel-in": FORBIDDEN,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    ("POST", "/cases/{case}/corrections/reverse"): {
        "manager": OK,
        "viewer": FORBIDDEN,
        "chair": FORBIDDEN,
        "agency-in": FORBIDDEN,
        "agency-out": NOT_FOUND,
        "panel-in": FORBIDDEN,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    ("POST", "/cases/{case}/agencies"): {
        "manager": OK,
        "viewer": FORBIDDEN,
        "chair": FORBIDDEN,
        "agency-in": FORBIDDEN,
        "agency-out": NOT_FOUND,
        "panel-in": FORBIDDEN,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    ("POST", "/cases/{case}/agencies/remove"): {
        "manager": OK,
        "viewer": FORBIDDEN,
        "chair": FORBIDDEN,
        "agency-in": FORBIDDEN,
        "agency-out": NOT_FOUND,
        "panel-in": FORBIDDEN,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    ("POST", "/cases/{case}/incidents"): {
        "manager": OK,
        "viewer": FORBIDDEN,
        "chair": FORBIDDEN,
        "agency-in": FORBIDDEN,
        "agency-out": NOT_FOUND,
        "panel-in": FORBIDDEN,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    ("POST", "/cases/{case}/complaints"): {
        "manager": OK,
        "viewer": FORBIDDEN,
        "chair": FORBIDDEN,
        "agency-in": FORBIDDEN,
        "agency-out": NOT_FOUND,
        "panel-in": FORBIDDEN,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    ("POST", "/cases/{case}/involvement"): {
        "manager": OK,
        "viewer": FORBIDDEN,
        "chair": FORBIDDEN,
        "agency-in": FORBIDDEN,
        "agency-out": NOT_FOUND,
        "panel-in": FORBIDDEN,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    ("POST", "/cases/{case}/recommendations/{recommendation}"): {
        "manager": OK,
        "viewer": FORBIDDEN,
        "chair": FORBIDDEN,
        "agency-in": OK,
        "agency-out": NOT_FOUND,
        "panel-in": OK,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    # The plan was never shared in this case, so the manager is told so on the page (422).
    ("POST", "/cases/{case}/action-plan/response"): {
        "manager": 422,
        "viewer": FORBIDDEN,
        "chair": FORBIDDEN,
        "agency-in": FORBIDDEN,
        "agency-out": NOT_FOUND,
        "panel-in": FORBIDDEN,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    ("POST", "/cases/{case}/action-plan/share"): {
        "manager": OK,
        "viewer": FORBIDDEN,
        "chair": FORBIDDEN,
        "agency-in": FORBIDDEN,
        "agency-out": NOT_FOUND,
        "panel-in": FORBIDDEN,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    **{
        ("GET", f"/statistics/data-return.{extension}"): {
            "manager": OK,
            "viewer": FORBIDDEN,
            "chair": OK,
            "agency-in": FORBIDDEN,
            "agency-out": FORBIDDEN,
            "panel-in": FORBIDDEN,
            "panel-out": FORBIDDEN,
            "other-manager": OK,
            None: SIGN_IN,
        }
        for extension in ("csv", "json")
    },
    ("POST", "/cases/{case}/deadlines/extend"): {
        "manager": OK,
        "viewer": FORBIDDEN,
        "chair": FORBIDDEN,
        "agency-in": FORBIDDEN,
        "agency-out": NOT_FOUND,
        "panel-in": FORBIDDEN,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    # An id past what the database can hold is not found, not a server error (schemathesis).
    ("POST", "/outbox/727617869046604496896/retry"): {
        "manager": NOT_FOUND,
        "viewer": NOT_FOUND,
        "chair": NOT_FOUND,
        "agency-in": NOT_FOUND,
        "agency-out": NOT_FOUND,
        "panel-in": NOT_FOUND,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: NOT_FOUND,
    },
    ("GET", "/cases/{case}/audit.csv"): {
        "manager": OK,
        "viewer": FORBIDDEN,
        "chair": FORBIDDEN,
        "agency-in": FORBIDDEN,
        "agency-out": NOT_FOUND,
        "panel-in": FORBIDDEN,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    ("GET", "/cases/{case}/subject-access"): {
        "manager": OK,
        "viewer": FORBIDDEN,
        "chair": FORBIDDEN,
        "agency-in": FORBIDDEN,
        "agency-out": NOT_FOUND,
        "panel-in": FORBIDDEN,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    ("GET", "/cases/{case}/subject-access.json"): {
        "manager": OK,
        "viewer": FORBIDDEN,
        "chair": FORBIDDEN,
        "agency-in": FORBIDDEN,
        "agency-out": NOT_FOUND,
        "panel-in": FORBIDDEN,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    # The panel pack is the case file: whoever may see the case (issue 18).
    ("GET", "/cases/{case}/panel-pack.pdf"): {
        "manager": OK,
        "viewer": OK,
        "chair": OK,
        "agency-in": OK,
        "agency-out": NOT_FOUND,
        "panel-in": OK,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    # Search and the closed cases are for every role, over the cases each may see
    # (tests/web/test_search.py checks what each finds); too short a search is refused.
    ("GET", "/search?q={case}"): {**everyone(OK), None: SIGN_IN},
    ("GET", "/search?q=C"): {**everyone(400), None: SIGN_IN},
    ("GET", "/cases/closed"): {**everyone(OK), None: SIGN_IN},
    ("GET", "/cases/closed?year=2025&outcome=withdrawn"): {**everyone(OK), None: SIGN_IN},
    # The figures hold no personal data: every role reads its own partnership's.
    ("GET", "/statistics"): {
        "manager": OK,
        "viewer": OK,
        "chair": OK,
        "agency-in": OK,
        "agency-out": OK,
        "panel-in": OK,
        "panel-out": OK,
        "other-manager": OK,
        None: SIGN_IN,
    },
    ("GET", "/statistics?year=1999"): {
        "manager": 400,
        "viewer": 400,
        "chair": 400,
        "agency-in": 400,
        "agency-out": 400,
        "panel-in": 400,
        "panel-out": 400,
        "other-manager": 400,
        None: SIGN_IN,
    },
    ("GET", "/statistics/figures.csv?year=2025"): {
        "manager": OK,
        "viewer": OK,
        "chair": OK,
        "agency-in": OK,
        "agency-out": OK,
        "panel-in": OK,
        "panel-out": OK,
        "other-manager": OK,
        None: SIGN_IN,
    },
    ("GET", "/statistics/figures.json?year=2025"): {
        "manager": OK,
        "viewer": OK,
        "chair": OK,
        "agency-in": OK,
        "agency-out": OK,
        "panel-in": OK,
        "panel-out": OK,
        "other-manager": OK,
        None: SIGN_IN,
    },
    # The People page is for managers, and only for their own partnership's people. A POST
    # without a valid form is answered on the page (400); deactivating and sending a reset
    # link need no more than the button.
    ("GET", "/people"): {**everyone(FORBIDDEN), "manager": OK, "other-manager": OK, None: SIGN_IN},
    ("POST", "/people"): {
        **everyone(FORBIDDEN),
        "manager": 400,
        "other-manager": 400,
        None: SIGN_IN,
    },
    ("GET", "/people/{person}"): {
        **everyone(FORBIDDEN),
        "manager": OK,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    ("POST", "/people/{person}/role"): {
        **everyone(FORBIDDEN),
        "manager": 400,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    ("POST", "/people/{person}/deactivate"): {
        **everyone(FORBIDDEN),
        "manager": OK,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    ("POST", "/people/{person}/reset-password"): {
        **everyone(FORBIDDEN),
        "manager": OK,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    # A reset link is its own key: without a live one, nobody finds the page.
    ("GET", "/reset-password/not-a-live-link"): everyone(NOT_FOUND),
    ("GET", "/sign-in"): {
        "manager": OK,
        "viewer": OK,
        "chair": OK,
        "agency-in": OK,
        "agency-out": OK,
        "panel-in": OK,
        "panel-out": OK,
        "other-manager": OK,
        None: OK,
    },
    # Single sign-on is off in config.toml: its routes do not exist (tests/web/test_sso.py).
    ("GET", "/sign-in/sso"): {
        "manager": NOT_FOUND,
        "viewer": NOT_FOUND,
        "chair": NOT_FOUND,
        "agency-in": NOT_FOUND,
        "agency-out": NOT_FOUND,
        "panel-in": NOT_FOUND,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: NOT_FOUND,
    },
    ("GET", "/sign-in/sso/callback"): {
        "manager": NOT_FOUND,
        "viewer": NOT_FOUND,
        "chair": NOT_FOUND,
        "agency-in": NOT_FOUND,
        "agency-out": NOT_FOUND,
        "panel-in": NOT_FOUND,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: NOT_FOUND,
    },
    # Signing out works for anyone (it only ends a session), and lands on the sign-in page.
    ("POST", "/sign-out"): {
        "manager": SIGN_IN,
        "viewer": SIGN_IN,
        "chair": SIGN_IN,
        "agency-in": SIGN_IN,
        "agency-out": SIGN_IN,
        "panel-in": SIGN_IN,
        "panel-out": SIGN_IN,
        "other-manager": SIGN_IN,
        None: SIGN_IN,
    },
    ("GET", "/healthz"): {
        "manager": OK,
        "viewer": OK,
        "chair": OK,
        "agency-in": OK,
        "agency-out": OK,
        "panel-in": OK,
        "panel-out": OK,
        "other-manager": OK,
        None: OK,
    },
    # Readiness is for the load balancer, which never signs in.
    ("GET", "/readyz"): everyone(OK),
    ("GET", "/favicon.ico"): everyone(OK),
    ("GET", "/apply"): everyone(OK),
    ("GET", "/apply/who"): everyone(OK),
    **{
        ("GET", f"/apply/{page}"): everyone(START)
        for page in (
            "about-you",
            "victim-type",
            "victim-name",
            "contact",
            "needs",
            "incidents",
            "incidents/1",
            "incidents/1/reports",
            "dissatisfaction",
            "check",
            "confirmation",
        )
    },
    ("POST", "/apply/incidents/1/remove"): everyone(START),
    # Documents and notes: those who work the case add them, everyone who sees it reads them;
    # a note is edited by its author (the manager here) and corrected by them or a manager.
    ("POST", "/cases/{case}/documents"): {
        **everyone(OK),
        "viewer": FORBIDDEN,
        "agency-out": NOT_FOUND,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    ("GET", "/cases/{case}/documents/{document}"): {
        **everyone(OK),
        "agency-out": NOT_FOUND,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    ("GET", "/cases/{case}/documents/99999"): {
        **everyone(NOT_FOUND),
        None: SIGN_IN,
    },
    ("POST", "/cases/{case}/notes"): {
        **everyone(OK),
        "viewer": FORBIDDEN,
        "agency-out": NOT_FOUND,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    ("POST", "/cases/{case}/notes/{note}"): {
        **everyone(FORBIDDEN),
        "manager": OK,
        "agency-out": NOT_FOUND,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
    ("POST", "/cases/{case}/notes/{note}/correction"): {
        **everyone(FORBIDDEN),
        "manager": OK,
        "agency-out": NOT_FOUND,
        "panel-out": NOT_FOUND,
        "other-manager": NOT_FOUND,
        None: SIGN_IN,
    },
}
CASES = [
    (method, path, role, expected)
    for (method, path), roles in TABLE.items()
    for role, expected in roles.items()
]


def sign_in(client, email):
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        "/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def csrf(client, path: str = "/") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


@pytest.mark.parametrize(("method", "path", "role", "expected"), CASES)
def test_every_route_for_every_role(app, world, method, path, role, expected):
    client = app.test_client()
    if role:
        sign_in(client, world["users"][role])
    url = path.format(
        case=world["case"],
        message=world["message"],
        recommendation=world["recommendation"],
        person=world["person"],
        document=world["document"],
        note=world["note"],
    )
    if method == "POST":
        data = {
            "document-title": "Panel minutes",
            "document-agency": "Leicestershire Police",
            "document-file": (io.BytesIO(PDF), "minutes.pdf"),
            "note-kind": "call",
            "note-occurred_on": ["27", "11", "2025"],
            "note-text": "Called the victim back.",
            f"edit-{world['note']}-kind": "call",
            f"edit-{world['note']}-occurred_on": ["27", "11", "2025"],
            f"edit-{world['note']}-text": "Called the victim at home.",
            f"correct-{world['note']}-text": "Called the victim's daughter.",
            f"correct-{world['note']}-reason": "It was her daughter who answered.",
            "csrf_token": csrf(client, "/" if role else "/sign-in"),
            "withdraw-reason": "The applicant asked to withdraw.",
            "decide_appeal-outcome": "not_upheld",
            "decide_appeal-reason": "All considered.",
            "chronology-agency": "Leicestershire Police",
            "chronology-occurred_on": ["2", "10", "2025"],
            "chronology-summary": "Visited.",
            "involvement-involvement_level": "consulted",
            "involvement-panel_attendance": "online",
            "response-response": "Agrees.",
            f"rec-{world['recommendation']}-status": "in_progress",
            "correct-victim__name": "Alex Morgen",
            "correct-reason": "Typed wrongly.",
            "reverse-reason": "Recorded on the wrong case.",
            "agency-agency": "Example Housing Association",
            "agency-role": "involved",
            "unagency-agency": "Charnwood Borough Council",
            "unagency-reason": "Not involved after all.",
            "incident-occurred_on": ["1", "10", "2025"],
            "incident-what_happened": "Shouting at night.",
            "complaint-incident": "0",
            "complaint-reported_to": "council",
            "complaint-reported_on": ["1", "10", "2025"],
            "extend-deadline": "appeal_decision",
            "extend-kind": "pause",
            "extend-due_on": ["1", "3", "2027"],
            "extend-reason": "The chair is ill; the applicant was told.",
            "extend-requested_by": "partnership",
        }
        response = client.post(url, data=data)
        if expected == OK:  # a POST that works redirects back
            assert response.status_code == 302 and "/sign-in" not in response.location
            return
    else:
        response = client.get(url)
    if expected == SIGN_IN:
        assert response.status_code == 302 and "/sign-in" in response.location
    elif expected == START:
        assert response.status_code == 302 and response.location.endswith("/apply")
    else:
        assert response.status_code == expected


def test_a_post_without_the_csrf_token_is_refused(app, world):
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    response = client.post(f"/outbox/{world['message']}/retry", data={})
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


def test_repeated_failures_lock_the_account(app, world):
    client = app.test_client()
    for _ in range(5):
        page = client.get("/sign-in").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        response = client.post(
            "/sign-in",
            data={"email": "manager@example.org", "password": "wrong", "csrf_token": token},
        )
        assert "The e-mail address or the password is not right" in response.get_data(as_text=True)
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        "/sign-in", data={"email": "manager@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 400
    assert "locked after too many failed attempts" in response.get_data(as_text=True)


def test_an_unknown_address_gets_the_same_message(app, world):
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        "/sign-in", data={"email": "nobody@example.org", "password": "x", "csrf_token": token}
    )
    assert "The e-mail address or the password is not right" in response.get_data(as_text=True)


def test_pages_carry_the_security_headers(app, world):
    response = app.test_client().get("/sign-in")
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_api_still_needs_no_csrf_token(client, auth):
    from tests.factories import application

    assert client.post("/api/v1/cases", json=application(), headers=auth).status_code == 201


def test_make_token_is_for_the_api_only(sessions, partnership, client):
    token = make_token(sessions, partnership, "viewer")
    assert client.get("/", headers={"Authorization": f"Bearer {token}"}).status_code == 302


def test_a_date_with_parts_missing_is_an_error_not_a_crash(app, world):
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    token = csrf(client)
    response = client.post(
        f"/cases/{world['case']}/events/decide_appeal",
        data={
            "csrf_token": token,
            "decide_appeal-outcome": "upheld",
            "decide_appeal-reason": "x",
            "decide_appeal-on": ["12"],
        },
    )
    assert response.status_code == 400
    assert "Not a valid date" in response.get_data(as_text=True)


def test_the_table_has_every_role_for_every_route():
    roles = {"manager", "viewer", "chair", "agency-in", "agency-out", "panel-in", "panel-out"}
    roles |= {"other-manager", None}
    assert [route for route, expected in TABLE.items() if set(expected) != roles] == []
