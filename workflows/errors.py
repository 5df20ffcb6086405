"""Errors a person can act on, raised by the domain and mapped once in ``web/``.

WorkflowError
├── CaseNotFound        no case with that reference here             → 404
├── PermissionDenied    your role may not do this                    → 403
├── EventNotAllowed     the case's state does not allow the event    → 409
├── StaleCase           someone else changed the case first          → 409
└── InvalidData         the data is wrong; ``fields`` says where      → 422
    └── ThresholdFloorMet  "not met" refused: the Act's floor is met → 422
"""

from __future__ import annotations


class WorkflowError(Exception):
    """Base of every error the engine raises for a person to read."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CaseNotFound(WorkflowError):
    status = 404


class PermissionDenied(WorkflowError):
    status = 403


class EventNotAllowed(WorkflowError):
    status = 409

    def __init__(self, event: str, state: str, allowed: list[str]) -> None:
        allowed_text = ", ".join(allowed) if allowed else "none (the case has ended)"
        super().__init__(
            f"The event '{event}' is not allowed while the case is '{state}'. "
            f"Allowed now: {allowed_text}."
        )
        self.event = event
        self.state = state
        self.allowed = allowed


class StaleCase(WorkflowError):
    status = 409


class InvalidData(WorkflowError):
    status = 422

    def __init__(self, fields: dict[str, str], message: str | None = None) -> None:
        summary = "; ".join(f"{name}: {text}" for name, text in fields.items())
        super().__init__(message or f"The data is not valid. {summary}")
        self.fields = fields


class ThresholdFloorMet(InvalidData):
    pass
