"""Security headers on every response: a strict Content-Security-Policy (no inline script
except the one GOV.UK Frontend line, allowed by a per-request nonce), no framing, no
sniffing, and no referrer leaving the site (case references must not leak in URLs).

Nothing the service answers is stored by a browser or a proxy (``Cache-Control: no-store``)
except the public static assets: pages, downloads (subject-access PDF and JSON, audit CSV,
figures) and the API's JSON carry personal data or sit behind sign-in, and a shared
computer's cache or a proxy must not keep them (NCSC, "Securing HTTP-based APIs"; OWASP
Secure Headers). Behind HTTPS (``secure_cookies``) browsers are told to use nothing else
for a year (HSTS).
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

from flask import Flask, Response, g, request

#: Only HTTPS for a year, subdomains too: sent only when the service runs behind HTTPS.
HSTS = "max-age=31536000; includeSubDomains"
#: The endpoints whose answers anyone may cache: the GOV.UK assets, the same for everyone.
PUBLIC_ENDPOINTS = frozenset({"static"})


def init_app(app: Flask) -> None:
    @app.before_request
    def make_nonce() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.context_processor
    def nonce() -> dict[str, str]:
        return {"cspNonce": g.get("csp_nonce", "")}

    is_https_only = app.extensions["casereview"].config.server.secure_cookies

    @app.after_request
    def headers(response: Response) -> Response:
        nonce_value = g.get("csp_nonce", "")
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce_value}'; "
            f"style-src 'self'{_style_hashes()}; img-src 'self' data:; font-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
        )
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        if request.endpoint not in PUBLIC_ENDPOINTS:
            response.headers["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        if is_https_only:
            response.headers["Strict-Transport-Security"] = HSTS
        return response


def allow_inline_styles(html: str) -> None:
    """Let this response's page keep its own ``<style>`` blocks, each named by its hash
    (CSP Level 2), and no other: a published figures page is a standalone file, styled
    inline so that it works on any website, and shown here exactly as published."""
    g.csp_style_hashes = [
        base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
        for block in re.findall(r"<style[^>]*>(.*?)</style>", html, re.S)
    ]


def _style_hashes() -> str:
    return "".join(f" 'sha256-{digest}'" for digest in g.get("csp_style_hashes", ()))
