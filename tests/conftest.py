import os

import pytest
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import create_engine, make_url

from jobstate_reset import JobStateReset, models

_REPORT: list[str] = []


@pytest.fixture
def report():
    """Add a line to the summary printed at the end of the run (figures for the notes)."""
    return _REPORT.append


def pytest_terminal_summary(terminalreporter):
    if _REPORT:
        terminalreporter.section("jobstate-reset figures")
        for line in _REPORT:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """TEST_DATABASE_URL, or a fresh SQLite file."""
    default = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
    return os.environ.get("TEST_DATABASE_URL") or default


@pytest.fixture(scope="session")
def schema_engine(database_url):
    """An engine of the tests' own, with the reference schema created afresh."""
    engine = create_engine(database_url)
    models.metadata.drop_all(engine)
    models.metadata.create_all(engine)
    yield engine
    models.metadata.drop_all(engine)
    engine.dispose()


@pytest.fixture
def engine(schema_engine):
    yield schema_engine
    with schema_engine.begin() as conn:
        for table in reversed(models.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def app(database_url, engine):
    app = Flask("jobstate_reset_test_host")
    # Most tests are about state, not callers: they run as the anonymous caller.
    # tests/test_security.py covers the identity hook and tenant isolation.
    app.config.update(
        TESTING=True, SQLALCHEMY_DATABASE_URI=database_url, JOBSTATE_RESET_ALLOW_ANONYMOUS=True
    )
    db = SQLAlchemy(app)
    JobStateReset(app, db=db)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def db(app):
    return app.extensions["sqlalchemy"]


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def extension(app):
    return app.extensions["jobstate_reset"]


@pytest.fixture
def backend(database_url):
    """'sqlite', 'postgresql' or 'mysql' (MariaDB)."""
    return make_url(database_url).get_backend_name()


@pytest.fixture
def server_database(backend):
    """Skip where row locks cannot be shown: SQLite locks the whole file."""
    if backend == "sqlite":
        pytest.skip("SQLite locks the whole database: proven on PostgreSQL and MariaDB")
    return backend
