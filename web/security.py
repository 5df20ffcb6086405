"""Security headers on every response: a strict Content-Security-Policy (no inline script
except the one GOV.UK Frontend line, allowed by a per-request nonce), no framing, no
sniffing, and no referrer leaving the site (case references must not leak in URLs)."""

from __future__ import annotations

import secrets

from flask import Flask, Response, g


def init_app(app: Flask) -> None:
    @app.before_request
    def make_nonce() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.context_processor
    def nonce() -> dict[str, str]:
        return {"cspNonce": g.get("csp_nonce", "")}

    @app.after_request
    def headers(response: Response) -> Response:
        nonce_value = g.get("csp_nonce", "")
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce_value}'; "
            "style-src 'self'; img-src 'self' data:; font-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
        )
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        if response.mimetype == "text/html":
            response.headers["Cache-Control"] = "no-store"
        return response
