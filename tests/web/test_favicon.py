"""The service has an icon (``/favicon.ico`` was a 404 in every browser's log), linked from
every page, and it is its own: GOV.UK Frontend's favicon is the crown, reserved for GOV.UK."""

from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_the_favicon_is_served_and_linked_and_is_not_the_crown(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert icon.data.lstrip().startswith(b"<svg")
    page = client.get("/apply").get_data(as_text=True)
    linked = '<link rel="icon" href="/static/govuk/favicon.svg" type="image/svg+xml">'
    assert linked in page
    with client.get("/static/govuk/favicon.svg") as static:
        assert static.status_code == 200 and static.data == icon.data
    crown = ROOT / "node_modules/govuk-frontend/dist/govuk/assets/images/favicon.svg"
    assert icon.data != crown.read_bytes()
