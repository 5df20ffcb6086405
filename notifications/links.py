"""Links in e-mails: where the service is, and the form on a case page that does a task.

An e-mail's link must open the same item the person's My tasks page shows (issue 20), so
both build it here from the same name of a form (``workflows.tasks.Task.opens``). The host
is ``server.public_url`` from the config, never a request's Host header, which whoever
triggers the message could set (host poisoning).
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from triggers.config import Config


def site_url(config: Config) -> str:
    """Where links in e-mails point: ``server.public_url``, else the address served on."""
    server = config.server
    return (server.public_url or f"http://{server.host}:{server.port}").rstrip("/")


def case_path(reference: str, opens: str = "") -> str:
    """The case page, with the form ``opens`` (an event, ``chronology``, ``rec-<id>``) open
    and scrolled to; the same URL as the tasks page's link (web.tasks)."""
    path = f"/cases/{quote(reference)}"
    if not opens:
        return path
    return f"{path}?{urlencode({'open': opens})}#open-{quote(opens)}"


def case_link(config: Config, reference: str, opens: str = "") -> str:
    return site_url(config) + case_path(reference, opens)
