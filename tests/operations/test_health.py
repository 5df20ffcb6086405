"""Health and readiness, as a load balancer asks: /healthz needs no database, /readyz does."""

import dataclasses

from sqlalchemy import create_engine, text

from web.app import create_app


def test_health_answers_without_a_database(config):
    # A database nobody can reach: liveness must not depend on it.
    unreachable = create_engine("postgresql+psycopg://nobody@127.0.0.1:9/none")
    client = create_app(config, engine=unreachable).test_client()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok\n"
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json() == {
        "status": "unavailable",
        "checks": {"database": "the database does not answer"},
    }
    assert "Traceback" not in ready.get_data(as_text=True)


def test_ready_when_the_database_answers_at_the_schema_head(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "checks": {"database": "ok"}}
    assert response.headers["Cache-Control"] == "no-store"


def test_not_ready_while_the_schema_is_behind_this_version(client, engine):
    """A node of a newer version, started before `casereview init` ran, takes no traffic."""
    with engine.begin() as connection:
        head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        connection.execute(text("UPDATE alembic_version SET version_num = '0009'"))
    try:
        response = client.get("/readyz")
    finally:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"] == (
        f"the schema is at 0009, this version needs {head}"
    )


def test_during_an_upgrade_the_old_nodes_stay_ready_but_degraded(client, engine):
    """`casereview init` of the next version ran; this (older) node serves until replaced."""
    with engine.begin() as connection:
        head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_next'"))
    try:
        response = client.get("/readyz")
    finally:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "degraded",
        "checks": {
            "database": f"the schema is newer (9999_next) than this version's ({head}): "
            "upgrade this node"
        },
    }


def test_a_silent_redis_leaves_the_node_ready_but_degraded(config, engine, partnership):
    """The limits fall back to each node's memory: taking every node out of the load
    balancer because Redis stopped would turn a looser limit into an outage."""
    server = dataclasses.replace(config.server, limits_storage="redis://127.0.0.1:9/0")
    client = create_app(dataclasses.replace(config, server=server), engine=engine).test_client()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "degraded",
        "checks": {"database": "ok", "redis": "Redis does not answer: limits counted per node"},
    }


def test_ready_with_the_limits_redis_answering(config, engine, partnership):
    from tests.operations.test_shared_limits import REDIS

    server = dataclasses.replace(config.server, limits_storage=REDIS)
    client = create_app(dataclasses.replace(config, server=server), engine=engine).test_client()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "checks": {"database": "ok", "redis": "ok"}}
