"""One scheduler leader on PostgreSQL across processes and hosts: an advisory lock held on a
connection of its own; a follower takes over within a minute of the leader's death."""

from __future__ import annotations

import signal
import time

from sqlalchemy import select, text

from tests.operations.conftest import letters_due, outbox, wait_for
from triggers.heartbeats import SWEEP
from triggers.models import Heartbeat, OutboxMessage
from workflows.leadership import LOCK_KEY, PostgresLeadership

#: A follower asks every minute; the sweep after it takes a few seconds more.
TAKEOVER_SECONDS = 75


def test_one_leader_and_the_other_takes_over_when_its_connection_drops(shared_database):
    first, second = (PostgresLeadership(shared_database.engine) for _ in range(2))
    try:
        assert first.lead() and not second.lead()
        assert first.lead(), "the leader keeps the lead while its connection lives"
        with shared_database.engine.connect() as connection:
            key = LOCK_KEY & 0xFFFFFFFF
            holder = connection.execute(
                # Advisory locks are per database; pg_locks shows every database's.
                text(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = :key "
                    "AND database = (SELECT oid FROM pg_database "
                    "WHERE datname = current_database())"
                ),
                {"key": key},
            ).scalar_one()
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": holder})
        wait_for(second.lead, 10, "the follower to take the lead")
        assert not first.lead(), "the old leader notices its connection dropped and follows"
    finally:
        first.release()
        second.release()


def test_two_schedulers_send_each_letter_once_and_a_follower_takes_over(
    shared_database, sink, processes
):
    env = {
        "DATABASE_URL": shared_database.url,
        "CASEREVIEW_MAIL_URL": f"smtp://127.0.0.1:{sink.port}",
    }
    letters_due(shared_database, 100)
    one, two = processes.start("scheduler", env=env), processes.start("scheduler", env=env)

    def leader() -> str:
        with shared_database.sessions() as session:
            beat = session.get(Heartbeat, SWEEP)
            return beat.by if beat is not None else ""

    wait_for(lambda: outbox(shared_database) == {"sent": 100}, 60, "100 letters sent")
    first = wait_for(leader, 10, "a heartbeat")
    assert first.split(":")[-1] in {str(one.pid), str(two.pid)}
    with shared_database.sessions() as session:
        senders = set(session.scalars(select(OutboxMessage.claimed_by)))
    assert senders == {first}, "only the leader swept"

    # The leader dies without a word; the follower takes over and sends what comes due.
    dead, survivor = (one, two) if first.endswith(f":{one.pid}") else (two, one)
    dead.send_signal(signal.SIGKILL)
    killed_at = time.monotonic()
    letters_due(shared_database, 100)
    wait_for(lambda: outbox(shared_database) == {"sent": 200}, TAKEOVER_SECONDS, "a takeover")
    assert time.monotonic() - killed_at < TAKEOVER_SECONDS
    # The heartbeat is written as the survivor's sweep ends, a moment after its letters.
    wait_for(lambda: leader().endswith(f":{survivor.pid}"), 10, "the survivor's heartbeat")
    ids = sink.ids()
    assert len(ids) == 200 and len(set(ids)) == 200, "every letter went exactly once"
    assert survivor.poll() is None, processes.output(survivor)
