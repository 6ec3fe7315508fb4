"""The SQL one reset sends: a fixed number of statements, whatever the state's size.

Counted, not timed: the timing lives in benchmarks/. The transaction's one
setting statement (PostgreSQL's SET LOCAL lock_timeout, MariaDB's SET
TRANSACTION ISOLATION LEVEL) is counted apart from the statements that work
on tables.
"""

import pytest

from tests.helpers import add_job, object_records, recorded_statements
from tests.test_strategies import SINGER_STATE

MAX_STATEMENTS = 5  # including the history record


def statements_of_a_reset(client, db, job_id):
    """The statements on tables; asserts at most one setting statement came first."""
    with recorded_statements(db.engine) as statements:
        assert client.post(f"/platform/jobs/{job_id}/reset-state").status_code == 200
    settings = [s for s in statements if s.lstrip().upper().startswith("SET ")]
    assert settings == statements[: len(settings)] and len(settings) <= 1, statements
    return statements[len(settings) :]


@pytest.mark.parametrize("connector", ["s3", "azure"])
def test_object_store_count_does_not_grow_with_the_objects(client, engine, db, connector):
    small = add_job(engine, connector, "INCREMENTAL", state=object_records(10))
    large = add_job(engine, connector, "INCREMENTAL", state=object_records(10_000))
    counts = [len(statements_of_a_reset(client, db, job)) for job in (small, large)]
    assert counts[0] == counts[1] <= MAX_STATEMENTS


@pytest.mark.parametrize(
    ("connector", "load_type", "state"),
    [
        ("jdbc", "incremental", "41"),
        ("jdbc", "incremental_with_qualify", "41"),
        ("jdbc", "full_load", None),
        ("singer", "INCREMENTAL", SINGER_STATE),
        ("s3", "INCREMENTAL", object_records(3)),
    ],
)
def test_every_connector_stays_within_the_budget(client, engine, db, connector, load_type, state):
    job_id = add_job(engine, connector, load_type, state=state)
    statements = statements_of_a_reset(client, db, job_id)
    assert len(statements) <= MAX_STATEMENTS, statements
    assert statements[-1].lstrip().upper().startswith("INSERT INTO JOBSTATE_RESET_HISTORY")
