"""Statements more than one strategy needs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Column, Table
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.orm import Session


def put_row(session: Session, key: Column, key_value: Any, column: Column, value: Any) -> None:
    """Set ``column`` of the row whose ``key`` is ``key_value``, inserting the row if needed.

    An upsert in one statement, not UPDATE-then-INSERT: on MariaDB an UPDATE
    that finds no row takes a gap lock, and two jobs' first commits in the
    same gap would deadlock on their INSERTs.
    """
    upsert_rows(
        session, key.table, [{key.name: key_value, column.name: value}], [key.name], [column.name]
    )


def upsert_rows(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    conflict_columns: Sequence[str],
    update_columns: Sequence[str],
) -> None:
    """Insert ``rows``, updating ``update_columns`` where the conflict columns already exist.

    One statement per batch (SQLAlchemy batches executemany INSERTs), in each
    database's own upsert syntax; needs a unique index on ``conflict_columns``.
    """
    if not rows:
        return
    dialect = session.connection().dialect.name
    if dialect in ("mysql", "mariadb"):
        statement = mysql.insert(table)
        statement = statement.on_duplicate_key_update(
            {name: statement.inserted[name] for name in update_columns}
        )
    else:
        module = postgresql if dialect == "postgresql" else sqlite
        statement = module.insert(table)
        statement = statement.on_conflict_do_update(
            index_elements=list(conflict_columns),
            set_={name: statement.excluded[name] for name in update_columns},
        )
    session.execute(statement, list(rows))
