"""A reference JDBC executor: incremental extraction from a real source table.

What the platform's JDBC runs do, reduced to the essentials: select the rows
past the high-water mark (all of them for full_load, or when there is no
mark), deduplicate on the primary keys for incremental_with_qualify, and
commit the new mark through the executor API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Engine, Table, select

from jobstate_reset import models


@dataclass
class JdbcRunResult:
    extracted: list[dict]
    committed: bool


def parse_mark(value: str, column_type: str):
    """The stored text of a high-water mark, back in the column's type."""
    if column_type == "number":
        return Decimal(value)
    if column_type == "date":
        return date.fromisoformat(value)
    return datetime.fromisoformat(value)


def run_jdbc_job(extension, engine: Engine, job_id: str, source: Table) -> JdbcRunResult:
    run = extension.begin_run(job_id)
    with engine.connect() as conn:
        settings = conn.execute(
            select(
                models.jobs.c.incremental_column_name,
                models.jobs.c.incremental_column_type,
                models.jobs.c.primary_keys,
            ).where(models.jobs.c.job_id == job_id)
        ).one()
        column = source.c[settings.incremental_column_name]
        query = select(source).order_by(column)
        mark = run.state["incremental_column_value"]
        if run.load_type != "full_load" and mark is not None:
            query = query.where(column > parse_mark(mark, settings.incremental_column_type))
        rows = [dict(row._mapping) for row in conn.execute(query)]
    newest = max((row[column.name] for row in rows), default=None)

    if run.load_type == "incremental_with_qualify":
        rows = qualify(rows, settings.primary_keys, settings.incremental_column_name)
    committed = False
    if run.load_type != "full_load" and rows:
        committed = run.commit({"incremental_column_value": newest})
    return JdbcRunResult(rows, committed)


def qualify(rows: list[dict], primary_keys: list[str], order_column: str) -> list[dict]:
    """Keep, for each primary key, the row with the highest incremental value."""
    latest: dict[tuple, dict] = {}
    for row in rows:
        key = tuple(row[name] for name in primary_keys)
        if key not in latest or row[order_column] >= latest[key][order_column]:
            latest[key] = row
    return list(latest.values())
