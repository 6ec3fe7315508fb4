"""Which tables and columns hold jobs and their state.

The built-in strategies never name a table themselves: they read it from a
:class:`StateTables`. The default points at :mod:`jobstate_reset.models`; a
host that keeps job state in tables of its own passes its own, naming its
columns where they differ from the reference schema::

    StateTables(
        jobs=JobsTable(Job.__table__, job_id="id", connector="kind"),
        jdbc=JdbcStateTable(Watermark.__table__, value="high_water_mark"),
        ...
    )

Every column is checked when the extension starts, so a typo fails at start-up
and not in the middle of a reset.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import Column, Table

from . import models
from .errors import ConfigurationError


@dataclass(frozen=True)
class _TableBinding:
    """A table plus the names of the columns we use in it.

    Subclasses declare those names as string fields; ``column(name)`` resolves
    one to the table's Column.
    """

    table: Table

    def __post_init__(self) -> None:
        missing = [
            f"{f.name}={getattr(self, f.name)!r}"
            for f in fields(self)
            if f.name != "table"
            and getattr(self, f.name) is not None
            and getattr(self, f.name) not in self.table.c
        ]
        if missing:
            raise ConfigurationError(
                f"{type(self).__name__}: table {self.table.name!r} has no column for "
                + ", ".join(missing)
            )

    def column(self, role: str) -> Column:
        """The table's column that plays ``role`` (a field name of this binding)."""
        return self.table.c[getattr(self, role)]


@dataclass(frozen=True)
class JobsTable(_TableBinding):
    """One row per job."""

    job_id: str = "job_id"
    pipeline_id: str = "pipeline_id"
    customer_id: str = "customer_id"
    connector: str = "connector"
    load_type: str = "load_type"
    # An integer, bumped by every reset (see jobstate_reset.runs).
    generation: str = "state_generation"


@dataclass(frozen=True)
class JdbcStateTable(_TableBinding):
    """One row per JDBC job holding its high-water mark."""

    job_id: str = "job_id"
    value: str = "incremental_column_value"


@dataclass(frozen=True)
class SingerStateTable(_TableBinding):
    """One row per Singer job holding its state file as JSON."""

    job_id: str = "job_id"
    state_file: str = "state_file"


@dataclass(frozen=True)
class ObjectStateTable(_TableBinding):
    """The S3/Azure ConnectorState: one row per processed object.

    A row is identified by (job_id, key_digest): the SHA-256 hex digest of the
    key (see ``models.object_key_digest``). With ``key_digest=None`` it is
    identified by (job_id, object_key). Either pair needs a unique index, for
    the upsert a run's commit does.
    """

    job_id: str = "job_id"
    object_key: str = "object_key"
    last_modified: str = "last_modified"
    key_digest: str | None = "object_key_sha256"


@dataclass(frozen=True)
class StateTables:
    """Everything the service and the built-in strategies read and write."""

    jobs: JobsTable
    # None: the host keeps no state of that kind, and its connectors answer 501.
    jdbc: JdbcStateTable | None = None
    singer: SingerStateTable | None = None
    objects: ObjectStateTable | None = None


def reference_tables() -> StateTables:
    """The bindings for the reference schema in :mod:`jobstate_reset.models`."""
    return StateTables(
        jobs=JobsTable(models.jobs),
        jdbc=JdbcStateTable(models.jdbc_state),
        singer=SingerStateTable(models.singer_state),
        objects=ObjectStateTable(models.object_state),
    )
