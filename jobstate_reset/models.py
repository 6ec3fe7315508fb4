"""The reference schema: where jobs and their incremental state live.

The tables sit on the package's own ``metadata`` so a host can hand it to
Alembic (``target_metadata = [db.metadata, jobstate_reset.models.metadata]``)
or create it with ``metadata.create_all(engine)``. A host whose state lives in
tables of its own describes them with :mod:`jobstate_reset.tables` instead.
"""

from __future__ import annotations

import hashlib
from datetime import UTC

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects import mysql

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator):
    """A UTC timestamp: aware datetimes in, aware UTC datetimes out, on every database.

    MariaDB's DATETIME and SQLite keep no zone, so values are stored as naive
    UTC there; MariaDB would also drop fractions of a second unless asked.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give a time zone")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# JSON that stores Python None as SQL NULL, not as the JSON text 'null'.
NullableJSON = JSON(none_as_null=True)

jobs = Table(
    "jobstate_jobs",
    metadata,
    Column("job_id", String(64), primary_key=True, comment="{pipeline_id}_{job_index}"),
    Column("pipeline_id", String(36), nullable=False),
    Column("job_index", BigInteger, nullable=False),
    Column("customer_id", String(64), nullable=False, index=True),
    Column("connector", String(32), nullable=False, comment="jdbc, singer, s3, azure, ..."),
    Column(
        "load_type",
        String(32),
        comment="JDBC: full_load, incremental, incremental_with_qualify; "
        "Singer and S3/Azure: the replication method, INCREMENTAL or FULL_TABLE",
    ),
    Column("incremental_column_name", String(255)),
    Column("incremental_column_type", String(16), comment="number, date or timestamp"),
    Column("primary_keys", NullableJSON, comment="list of column names; qualify dedups on them"),
    Column("input", NullableJSON, comment="the job's input, column_include_list included"),
    Column(
        "state_generation",
        BigInteger,
        nullable=False,
        default=0,
        server_default="0",
        comment="bumped by every reset; a run may only write state of the generation it read",
    ),
    UniqueConstraint("pipeline_id", "job_index"),
)

jdbc_state = Table(
    "jobstate_jdbc_state",
    metadata,
    Column(
        "job_id",
        String(64),
        ForeignKey(jobs.c.job_id, ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("incremental_column_value", Text, comment="high-water mark; NULL means none"),
)

singer_state = Table(
    "jobstate_singer_state",
    metadata,
    Column(
        "job_id",
        String(64),
        ForeignKey(jobs.c.job_id, ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("state_file", NullableJSON, comment='{"bookmarks": {...}, "currently_syncing": ...}'),
)

# The ConnectorState of S3/Azure jobs: one row per processed object. Object keys
# may be 1024 bytes, longer than MariaDB lets a key column be, so rows are
# identified by the SHA-256 of the key instead (see object_key_digest).
object_state = Table(
    "jobstate_object_state",
    metadata,
    Column(
        "job_id",
        String(64),
        ForeignKey(jobs.c.job_id, ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("object_key_sha256", String(64), primary_key=True),
    Column("object_key", Text, nullable=False),
    Column("last_modified", UtcDateTime(), nullable=False),
    Index(None, "job_id", "last_modified"),
)


# One row per real reset (never per preview), written in the reset's transaction.
# Not a foreign key to the job: the record of a reset outlives the job.
reset_history = Table(
    "jobstate_reset_history",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("job_id", String(64), nullable=False),
    Column("pipeline_id", String(36)),
    Column("customer_id", String(64)),
    Column("connector", String(32), nullable=False),
    Column("load_type", String(32)),
    Column("actor", String(255), nullable=False),
    Column("reset_at", UtcDateTime(), nullable=False),
    Column("request_id", String(128)),
    Column("generation_before", BigInteger, nullable=False),
    Column("generation_after", BigInteger, nullable=False),
    Column("streams", NullableJSON, comment="the Singer streams reset; NULL: the whole state"),
    Column("previous_state", NullableJSON, comment="the state as it was before the reset"),
    Index(None, "job_id", "id"),
)


def object_key_digest(object_key: str) -> str:
    """The value of ``object_key_sha256`` for an object key."""
    return hashlib.sha256(object_key.encode("utf-8")).hexdigest()
