"""Where to go after a form: only somewhere on this site (OWASP unvalidated redirects).

A ``next`` or ``back`` value is read as the browser will read the Location header: browsers
drop tabs and newlines and take a backslash for a slash, so ``/\\t/evil.example`` and
``/\\evil.example`` lead off-site though they start with one slash; a newline would also
break the header itself. Anything but a plain path on this site gives the default.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

#: Characters a browser drops or rewrites in a URL, and which make an unsafe header.
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")


def local_target(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site, else ``default``."""
    if not target or _UNSAFE.search(target) or not target.startswith("/"):
        return default
    if target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
