"""The link PostgreSQL computes for one event (triggers.audit's one statement) is the link
Python computes (chain_fields), for awkward contents; and many writers never fork it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest

from triggers.audit import append_at_commit, append_event, append_events, verify_chain
from triggers.db import read_session, write_transaction

CONTENTS = [
    {"data": {"b": 1, "a": "Ŵyn ap Siôn — “quotes” 😀", "z": None}},
    {"data": {}, "case_id": None, "request_id": ""},
    {"data": {"nested": {"y": [1, 2.5, True, None], "x": "\\n\n\t"}}},
    {"at": datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC)},  # no microseconds
    {"at": datetime(2026, 12, 1, 13, 0, 0, 1, tzinfo=timezone(timedelta(hours=1)))},
    {"actor": "O'Brien; DROP TABLE", "event": "viewed", "from_state": "", "to_state": ""},
    {"data": {"big": 2**62, "neg": -0.0, "e": 1e-7}},
]


def _row(partnership_id, **given):
    return {
        "partnership_id": partnership_id,
        "at": datetime(2026, 12, 1, 11, 59, 58, 123456, tzinfo=UTC),
        "actor": "attack@example.org",
        "event": "viewed",
        "data": {"what": "attack"},
        **given,
    }


def test_awkward_contents_keep_the_chain(sessions, partnership):
    """checked, held (passes on both databases): every content appended one at a time (the
    PostgreSQL one-statement path), in a batch and at commit, verifies."""
    for given in CONTENTS:
        with write_transaction(sessions) as session:
            append_event(session, _row(partnership.id, **given))
        with write_transaction(sessions) as session:
            append_at_commit(session, _row(partnership.id, **given))
    with write_transaction(sessions) as session:
        append_events(session, [_row(partnership.id, **given) for given in CONTENTS])
    with read_session(sessions) as session:
        report = verify_chain(session)
    assert report.intact, report


@pytest.mark.parametrize("writers", [8])
def test_many_writers_one_and_at_commit_never_fork(sessions, partnership, writers):
    """checked, held (passes on both databases): 8 threads mixing one-statement appends, views at
    commit and batches verify as one unforked chain."""
    errors: list[BaseException] = []
    start = threading.Barrier(writers)

    def write(number: int) -> None:
        try:
            start.wait()
            for turn in range(15):
                with write_transaction(sessions) as session:
                    row = _row(partnership.id, data={"w": number, "t": turn})
                    if turn % 3 == 0:
                        append_event(session, row)
                    elif turn % 3 == 1:
                        append_at_commit(session, row)
                        append_at_commit(session, {**row, "event": "viewed twice"})
                    else:
                        append_events(session, [row, row])
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with read_session(sessions) as session:
        report = verify_chain(session)
    assert report.intact, report
