"""Benchmark: the server's CPU time per request, page by page (issue 22).

Wall time on a machine shared with other work is noise; the CPU time the serving process
spends is not. This starts the real server (`casereview serve`: waitress, no scheduler) on
a history written by bench/scale.py, sends the requests of one page after another from one
client on one kept-alive connection, reads the server's CPU time (user + system, from
/proc/PID/stat) before and after each page's requests, and reports milliseconds of server
CPU per request with the client's p50 and p95 wall time.

The pages: the dashboard and the case page of a partnership's manager (open cases, the ones
worked on, and closed ones, as bench/scale.py measures), the API's case GET, and the public
form's start page and first question (no session). Each page is warmed up first (the
first requests compile statements and templates).

    .venv/bin/python bench/cpu.py [--cases 10000] [--database sqlite|postgresql]
                                  [--requests 1000] [--url URL-of-a-generated-history]
                                  [--pages NAME ...]

Prints one Markdown table row per page; `make bench` writes them to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from figures import database  # noqa: E402
from scale import NOW, PASSWORD, _free_port, generate  # noqa: E402

from triggers.accounts import create_token  # noqa: E402
from triggers.db import make_engine, make_session_factory, write_transaction  # noqa: E402
from triggers.models import CaseReview, User  # noqa: E402
from triggers.schema import upgrade  # noqa: E402

#: Requests per page before the measured ones: statement and template caches fill.
WARM_UP = 30
#: How many different cases the case pages and the API cycle through.
CASES_VISITED = 20
CLOSED = ("closed", "withdrawn")
MANAGER = "manager1@example.org"
TICKS = os.sysconf("SC_CLK_TCK")


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


@dataclass
class Client:
    """One browser-like client on one kept-alive connection, carrying its cookies."""

    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=120)

    def request(
        self, method: str, path: str, body: dict[str, str] | None = None
    ) -> tuple[int, str]:
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, data, headers)
            response = self.connection.getresponse()
        except (ConnectionError, http.client.HTTPException):  # the server closed it: again
            self.connection.close()
            self.connection.request(method, path, data, headers)
            response = self.connection.getresponse()
        text = response.read().decode()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text

    def get(self, path: str) -> str:
        status, text = self.request("GET", path)
        if status != 200:
            raise SystemExit(f"GET {path} answered {status}:\n{text[:2000]}")
        return text


def wait_for(client: Client, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit("casereview serve ended before it answered")
        try:
            client.request("GET", "/healthz")
            return
        except OSError:
            client.connection.close()
            time.sleep(0.2)
    raise SystemExit("casereview serve did not answer within a minute")


def sign_in(client: Client) -> None:
    page = client.get("/sign-in")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = {"email": MANAGER, "password": PASSWORD, "csrf_token": token}
    status, text = client.request("POST", "/sign-in", form)
    if status != 302:
        raise SystemExit(f"signing in answered {status}:\n{text[:2000]}")


@dataclass
class Measure:
    name: str
    cpu_ms: float
    p50_ms: float
    p95_ms: float


def measure(
    name: str, pid: int, requests: int, send: Callable[[int], None], warm_up: int = WARM_UP
) -> Measure:
    """Server CPU per request and the client's wall times over ``requests`` calls of ``send``."""
    for index in range(warm_up):
        send(index)
    walls = []
    before = server_cpu_seconds(pid)
    for index in range(requests):
        started = time.perf_counter()
        send(index)
        walls.append(time.perf_counter() - started)
    cpu = server_cpu_seconds(pid) - before
    walls.sort()
    return Measure(
        name,
        cpu * 1000 / requests,
        statistics.median(walls) * 1000,
        walls[min(len(walls) - 1, int(len(walls) * 0.95))] * 1000,
    )


def references(url: str) -> tuple[list[str], list[str], str]:
    """Open and closed cases of partnership 1, and an API token for its manager."""
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with write_transaction(sessions) as session:
        found = {}
        for closed in (False, True):
            state = CaseReview.state.in_(CLOSED) if closed else CaseReview.state.not_in(CLOSED)
            found[closed] = list(
                session.scalars(
                    select(CaseReview.reference)
                    .where(CaseReview.partnership_id == 1, state)
                    .order_by(CaseReview.id)
                    .limit(CASES_VISITED)
                )
            )
        manager = session.scalars(select(User).where(User.email == MANAGER)).one()
        token = create_token(session, manager, NOW)
    engine.dispose()
    return found[False], found[True], token


def run(url: str, requests: int, folder: Path, pages: list[str] | None = None) -> list[Measure]:
    open_cases, closed_cases, token = references(url)
    open_cases = open_cases or closed_cases  # a tiny history may have no open case
    config = folder / "bench.toml"
    config.write_text(
        (ROOT / "config.toml")
        .read_text()
        .replace('sign_in_limit = "10 per minute"', 'sign_in_limit = "1000 per minute"')
    )
    port = _free_port()
    env = {
        "DATABASE_URL": url,
        "PATH": os.environ.get("PATH", ""),
        "CASEREVIEW_SECRET_KEY": "bench secret key: the same for the whole run",
    }
    casereview = str(Path(sys.executable).parent / "casereview")
    process = subprocess.Popen(
        [casereview, "--config", str(config), "serve", "--port", str(port), "--no-scheduler"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        staff = Client("127.0.0.1", port)
        wait_for(staff, process)
        sign_in(staff)
        api = Client("127.0.0.1", port, headers={"Authorization": f"Bearer {token}"})
        public = Client("127.0.0.1", port)
        pid = process.pid

        def cycle(client: Client, paths: list[str]) -> Callable[[int], None]:
            def send(index: int) -> None:
                client.get(paths[index % len(paths)])

            return send

        def dashboard(_index: int) -> None:
            if "Case reviews" not in staff.get("/"):
                raise SystemExit("the dashboard did not show the cases")

        sends: dict[str, Callable[[int], None]] = {
            "dashboard": dashboard,
            "case page, open cases": cycle(staff, [f"/cases/{r}" for r in open_cases]),
            "case page, closed cases": cycle(staff, [f"/cases/{r}" for r in closed_cases]),
            "API case GET": cycle(api, [f"/api/v1/cases/{r}" for r in open_cases]),
            "public form: start page": cycle(public, ["/apply"]),
            "public form: first question": cycle(public, ["/apply/who"]),
        }
        measures = [
            measure(name, pid, requests, send)
            for name, send in sends.items()
            if not pages or name in pages
        ]
    finally:
        process.terminate()
        process.wait(timeout=30)
    return measures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--requests", type=int, default=1_000)
    parser.add_argument(
        "--url", help="a database already holding a bench/scale.py history of --cases cases"
    )
    parser.add_argument(
        "--pages", nargs="+", help="only these pages, by the names the rows give (all by default)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.url:
            url, drop = args.url, lambda: None
        else:
            url, drop = database(args.database, Path(folder))
        try:
            if not args.url:
                engine = make_engine(url)
                upgrade(engine)
                generate(engine, args.cases)
                engine.dispose()
            measures = run(url, args.requests, Path(folder), args.pages)
        finally:
            drop()
    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    for m in measures:
        print(
            f"| {m.name} | {args.cases:,} | {backend} | {m.cpu_ms:.1f} ms CPU a request "
            f"(p50 {m.p50_ms:.1f} ms, p95 {m.p95_ms:.1f} ms, {args.requests:,} requests) |",
            flush=True,
        )


if __name__ == "__main__":
    main()
