"""Alembic migrations; ``triggers.schema`` runs them."""
