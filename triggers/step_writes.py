"""A step's changes written by Core statements built once, instead of the ORM's flush.

The unit of work sorts every changed object's relationships before it writes a row: for a
case with thirteen relationships that was half of a step's client CPU on SQLite, more than
the hand-written floor's whole step (bench/throughput.py, bench/RESULTS.md). A step changes
few rows of a known shape (the case's columns, a deadline or two, a decision, a panel...),
so ``write_changes`` writes them itself: an ``UPDATE`` by primary key of the columns that
changed (the case's with its version check, as the ORM makes it), an ``INSERT`` of each new
row after the rows it refers to, each statement built once per table and set of columns and
its values bound. The objects are then recorded as written, as the flush records them, so
the session, the pages and the API read the same objects afterwards.

Anything else (a deletion, an orphan, a row moved between parents, a many-to-many, an audit
event) is left to the flush, which also enforces the audit trail's append-only rule.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, bindparam, insert, inspect, update
from sqlalchemy.orm import ColumnProperty, Mapper, RelationshipProperty, Session
from sqlalchemy.orm.attributes import NO_VALUE
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.interfaces import MANYTOONE, ONETOMANY
from sqlalchemy.orm.state import InstanceState

from triggers.models import AuditEvent


def write_changes(session: Session) -> None:
    """Write the session's pending changes: by ``Core`` statements where every change is
    one a step makes, else by the ORM's flush. Raises ``StaleDataError`` (as the flush does)
    when a versioned row was changed by someone else since it was read."""
    plan = _plan(session)
    if plan is None:
        session.flush()
        return
    plan.run(session)


@dataclass
class _Insert:
    state: InstanceState[Any]
    table: Table
    values: dict[str, Any]
    #: column key → (the pending object it refers to, that object's attribute holding it)
    refers: dict[str, tuple[InstanceState[Any], str]] = field(default_factory=dict)


@dataclass
class _Update:
    state: InstanceState[Any]
    table: Table
    columns: tuple[str, ...]
    values: dict[str, Any]
    #: The version the row must still have (a versioned mapper), and its next one.
    version: tuple[str, Any, Any] | None = None


@dataclass
class _Plan:
    updates: list[_Update]
    inserts: list[_Insert]
    #: Changed objects whose change needs no statement (a collection that gained a row).
    unchanged: list[InstanceState[Any]] = field(default_factory=list)

    def run(self, session: Session) -> None:
        if not (self.updates or self.inserts or self.unchanged):
            return
        connection = session.connection()
        for change in self.updates:
            version = _version_column(change.state.mapper) if change.version else None
            statement = _update_statement(change.table, change.columns, version)
            result = connection.execute(statement, _update_values(change))
            if change.version is not None and result.rowcount != 1:
                raise StaleDataError(
                    f"UPDATE of {change.table.name} matched {result.rowcount} rows, not 1"
                )
            if change.version is not None:
                attribute, _, new = change.version
                change.state.dict[attribute] = new
        for row in self.inserts:
            for column, (target, attribute) in row.refers.items():
                row.values[column] = target.dict[attribute]
            result = connection.execute(_insert_statement(row.table), row.values)
            mapper = row.state.mapper
            for column, value in zip(
                row.table.primary_key.columns, result.inserted_primary_key, strict=True
            ):
                row.values[column.key] = value
            for column_key, value in row.values.items():
                row.state.dict[_attribute_of(mapper, column_key)] = value
        # What the flush does once its statements have run: each object recorded as written
        # (its identity, its history reset, out of the session's new and changed objects).
        written = {change.state for change in self.updates} | set(self.unchanged)
        session._register_persistent(written | {row.state for row in self.inserts})


def _update_values(change: _Update) -> dict[str, Any]:
    bound = {f"set_{key}": change.values[key] for key in change.columns}
    mapper = change.state.mapper
    for column in change.table.primary_key.columns:
        bound[f"pk_{column.key}"] = change.state.dict[_attribute_of(mapper, column.key)]
    if change.version is not None:
        _, old, new = change.version
        bound["version_old"], bound[f"set_{_version_column(mapper).key}"] = old, new
    return bound


def _plan(session: Session) -> _Plan | None:
    """What to write, or None when a change is one only the flush writes. Nothing is
    written while planning, so the flush can still take over."""
    if session.deleted:
        return None
    updates: list[_Update] = []
    unchanged: list[InstanceState[Any]] = []
    # child → the column keys its parents' one-to-many collections set on it
    from_parent: dict[InstanceState[Any], dict[str, tuple[InstanceState[Any], str]]] = {}
    for obj in session.dirty:
        state: InstanceState[Any] = inspect(obj)
        if isinstance(obj, AuditEvent):
            return None
        change = _changed_row(state, from_parent)
        if change is False:
            return None
        if change is None:
            unchanged.append(state)
        else:
            updates.append(change)
    pending = [inspect(obj) for obj in session.new]
    if any(isinstance(state.obj(), AuditEvent) for state in pending):
        return None
    inserts = _ordered_inserts(pending, from_parent)
    if inserts is None:
        return None
    # The versioned row (the case, locked when it was read) first, then by table, as the
    # flush orders them: two steps never take the same rows in different orders.
    updates.sort(key=lambda change: (change.version is None, change.table.name))
    return _Plan(updates, inserts, unchanged)


def _changed_row(
    state: InstanceState[Any],
    from_parent: dict[InstanceState[Any], dict[str, tuple[InstanceState[Any], str]]],
) -> _Update | bool | None:
    """The UPDATE a changed object needs (None: no column changed), or False when its
    change is not one a step makes."""
    mapper = state.mapper
    if state.key is None or len(mapper.tables) != 1:
        return False
    values: dict[str, Any] = {}
    for key, old in state.committed_state.items():
        prop = mapper.attrs[key]
        if isinstance(prop, ColumnProperty):
            new = state.dict.get(key, NO_VALUE)
            if new is NO_VALUE:
                return False
            if old is not NO_VALUE and state.manager[key].impl.is_equal(new, old):
                continue
            values[prop.columns[0].key] = new
        elif isinstance(prop, RelationshipProperty) and prop.secondary is None:
            history = state.attrs[key].history
            if prop.direction is MANYTOONE:
                target = history.added[0] if history.added else None
                if history.unchanged or (target is None and not history.deleted):
                    continue
                target_state = inspect(target) if target is not None else None
                if target_state is not None and target_state.key is None:
                    return False  # refers to a row not yet written
                for local, remote in prop.local_remote_pairs:
                    values[local.key] = (
                        None
                        if target_state is None
                        else target_state.dict[_attribute_of(target_state.mapper, remote.key)]
                    )
            elif prop.direction is ONETOMANY:
                if history.deleted:
                    return False  # an orphan to delete, or a row moved to another parent
                for child in history.added:
                    child_state = inspect(child)
                    if child_state.key is not None:
                        return False
                    links = from_parent.setdefault(child_state, {})
                    for local, remote in prop.local_remote_pairs:
                        links[remote.key] = (state, _attribute_of(mapper, local.key))
            else:
                return False
        else:
            return False
    if not values:
        return None
    version = None
    if mapper.version_id_col is not None:
        column = _version_column(mapper)
        old_version = state.dict[_attribute_of(mapper, column.key)]
        version = (_attribute_of(mapper, column.key), old_version, old_version + 1)
        values.pop(column.key, None)
    table = mapper.local_table
    assert isinstance(table, Table)
    return _Update(state, table, tuple(sorted(values)), values, version)


def _ordered_inserts(
    pending: Iterable[InstanceState[Any]],
    from_parent: dict[InstanceState[Any], dict[str, tuple[InstanceState[Any], str]]],
) -> list[_Insert] | None:
    """Each new object's row, those it refers to first; None when one is not a plain row."""
    rows: dict[InstanceState[Any], _Insert] = {}
    for state in pending:
        mapper = state.mapper
        table = mapper.local_table
        if len(mapper.tables) != 1 or not isinstance(table, Table):
            return None
        values: dict[str, Any] = {}
        refers = dict(from_parent.get(state, {}))
        for prop in mapper.column_attrs:
            column = prop.columns[0]
            if column.primary_key:
                continue
            value = state.dict.get(prop.key, NO_VALUE)
            if value is NO_VALUE:
                default = column.default
                if default is None:
                    if column.server_default is not None:
                        return None  # the flush fetches it back
                    value = None
                elif default.is_scalar:
                    value = default.arg  # type: ignore[attr-defined]
                elif default.is_callable:
                    value = default.arg(None)  # type: ignore[attr-defined]
                else:
                    return None
            values[column.key] = value
        for prop in mapper.relationships:
            if prop.key not in state.dict:
                continue
            target = state.dict[prop.key]
            if prop.direction is ONETOMANY:
                if target:  # a new row with children of its own
                    return None
                continue
            if prop.direction is not MANYTOONE or prop.secondary is not None:
                return None
            if target is None:
                continue
            target_state = inspect(target)
            for local, remote in prop.local_remote_pairs:
                attribute = _attribute_of(target_state.mapper, remote.key)
                if target_state.key is None:
                    refers[local.key] = (target_state, attribute)
                else:
                    refers.pop(local.key, None)
                    values[local.key] = target_state.dict[attribute]
        for column_key, (target_state, attribute) in list(refers.items()):
            if target_state.key is not None:  # written already: its key is known now
                values[column_key] = target_state.dict[attribute]
                del refers[column_key]
        rows[state] = _Insert(state, table, values, refers)
    ordered: list[_Insert] = []
    placed: set[InstanceState[Any]] = set()
    while len(ordered) < len(rows):
        ready = [
            row
            for state, row in rows.items()
            if state not in placed and all(t in placed for t, _ in row.refers.values())
        ]
        if not ready:
            return None  # refers to an object that is neither written nor new here
        for row in ready:
            ordered.append(row)
            placed.add(row.state)
    return ordered


@functools.cache
def _attribute_of(mapper: Mapper[Any], column_key: str) -> str:
    return mapper.get_property_by_column(mapper.local_table.c[column_key]).key


def _version_column(mapper: Mapper[Any]) -> Any:
    return mapper.version_id_col


@functools.cache
def _update_statement(table: Table, columns: tuple[str, ...], version: Any) -> Any:
    """``UPDATE table SET <columns> WHERE <primary key> [AND version = :old]``, built once
    per table and set of columns (its cache key is then never computed again)."""
    where = [column == bindparam(f"pk_{column.key}") for column in table.primary_key.columns]
    values = {key: bindparam(f"set_{key}", type_=table.c[key].type) for key in columns}
    if version is not None:
        where.append(version == bindparam("version_old"))
        values[version.key] = bindparam(f"set_{version.key}", type_=version.type)
    return update(table).where(*where).values(values)


@functools.cache
def _insert_statement(table: Table) -> Any:
    return insert(table)
