"""Where the sign-in and submission limits are counted: in each process's memory (one
machine), or in Redis so that they hold across every web node (``server.limits_storage``).

Fail-safe, by design: if Redis stops answering, each node counts in its own memory
(Flask-Limiter's in-memory fallback) and asks Redis again with a growing pause (1, 2, 4 ...
seconds) until it answers; the limits then hold per node instead of across nodes, and the
pages keep answering. An error the fallback cannot absorb is logged and the request served
(swallowed errors), because refusing every sign-in while Redis is down would be worse than
a looser limit for a few minutes. Each Redis call waits at most a second.
"""

from __future__ import annotations

import hashlib

from flask import Flask

#: Seconds a Redis connection or command may take before the node counts in memory.
REDIS_TIMEOUT = 1.0


def init_app(app: Flask) -> None:
    """Put the limits' storage in the Flask-Limiter settings that web.auth's limiter reads."""
    services = app.extensions["casereview"]
    storage = services.config.server.limits_storage
    app.config["RATELIMIT_STORAGE_URI"] = storage
    app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True
    app.config["RATELIMIT_SWALLOW_ERRORS"] = True
    if not storage.startswith("memory://"):
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {
            "socket_connect_timeout": REDIS_TIMEOUT,
            "socket_timeout": REDIS_TIMEOUT,
        }
    # Two installations sharing one Redis must not share counts: key by the database.
    database = services.engine.url.render_as_string(hide_password=True)
    app.config["RATELIMIT_KEY_PREFIX"] = (
        "casereview-" + hashlib.sha256(database.encode()).hexdigest()[:12]
    )
