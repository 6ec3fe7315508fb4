"""Statements more than one strategy needs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Column, Table, insert, update
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.orm import Session


def put_row(
    session: Session, table: Table, key: Mapping[Column, Any], values: Mapping[Column, Any]
) -> None:
    """Update the row with ``key``, or insert it.

    Portable and race-free only because the caller holds the job's row lock,
    which every writer of the job's state takes first.
    """
    condition = [column == value for column, value in key.items()]
    result = session.execute(update(table).where(*condition).values(dict(values)))
    if result.rowcount == 0:
        session.execute(insert(table).values({**key, **values}))


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
