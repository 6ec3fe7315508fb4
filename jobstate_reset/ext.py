"""The Flask extension a host app mounts."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from weakref import WeakKeyDictionary

from flask import Flask, Request, current_app
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Engine, Table
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.utils import import_string

from . import models
from .cli import jobstate_cli
from .config import apply_defaults
from .errors import ConfigurationError, NotAuthenticatedError, StateDatabaseError
from .history import HistoryPage
from .identity import ANONYMOUS, ANONYMOUS_PRINCIPAL, IdentityLoader, Principal
from .lock_timeout import SESSION_KEY as LOCK_TIMEOUT
from .routing import register_converters
from .runs import Run, begin_run
from .service import (
    JobStateView,
    PipelineOutcome,
    ResetOutcome,
    ResetRequest,
    inspect_job,
    job_history,
    reset_job_state,
    reset_pipeline,
)
from .strategies import ResetStrategy, load_registry
from .tables import StateTables, reference_tables
from .views import create_blueprint

EXTENSION_KEY = "jobstate_reset"
logger = logging.getLogger("jobstate_reset")


class JobStateReset:
    """Adds the job-state routes to a Flask app, on its Flask-SQLAlchemy database.

    ``db`` is the host's ``SQLAlchemy`` instance (default: the one already
    registered on the app). ``tables`` says where jobs and their state live
    (default: :mod:`jobstate_reset.models`). ``strategies`` are strategy
    instances that replace the installed ones for their connector types.
    ``identity`` is the host's callable from a request to a Principal (or None);
    without one, every route answers 401 unless ``JOBSTATE_RESET_ALLOW_ANONYMOUS``.
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        db: SQLAlchemy | None = None,
        tables: StateTables | None = None,
        strategies: Iterable[ResetStrategy] = (),
        identity: IdentityLoader | None = None,
    ) -> None:
        self.db = db
        self.tables = tables or reference_tables()
        self.registry = load_registry(self.tables, strategies)
        self.identity = identity
        # Per-app state, as Flask-SQLAlchemy keeps it: the extension never holds an app.
        self._db_by_app: WeakKeyDictionary[Flask, SQLAlchemy] = WeakKeyDictionary()
        self._engine_by_app: WeakKeyDictionary[Flask, Engine] = WeakKeyDictionary()
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask, db: SQLAlchemy | None = None) -> None:
        if EXTENSION_KEY in app.extensions:
            raise ConfigurationError(
                "A 'JobStateReset' instance has already been registered on this Flask app."
            )
        db = db or self.db or app.extensions.get("sqlalchemy")
        if db is None:
            raise ConfigurationError(
                "JobStateReset needs Flask-SQLAlchemy: pass db=..., or call "
                "db.init_app(app) before JobStateReset.init_app(app)."
            )
        if app.extensions.get("sqlalchemy") is not db:
            raise ConfigurationError(
                "The SQLAlchemy instance given to JobStateReset is not registered on this "
                "app: call db.init_app(app) before JobStateReset.init_app(app)."
            )
        apply_defaults(app.config)
        if isinstance(app.config["JOBSTATE_RESET_IDENTITY"], str):
            import_string(app.config["JOBSTATE_RESET_IDENTITY"])  # a typo fails at start-up
        register_converters(app)
        self._db_by_app[app] = db
        app.extensions[EXTENSION_KEY] = self
        app.register_blueprint(
            create_blueprint(self), url_prefix=app.config["JOBSTATE_RESET_URL_PREFIX"]
        )
        app.cli.add_command(jobstate_cli)

    def register_strategy(self, strategy: ResetStrategy) -> None:
        """Use ``strategy`` for its connector types from now on."""
        self.registry.register(strategy)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session of its own for one use case, on the app's Flask-SQLAlchemy database.

        Not the request's ``db.session``: a use case owns its transaction, so it
        neither commits nor rolls back the host's work in that session, and it
        never reads from a snapshot the host's earlier reads in the request fixed.
        """
        app = current_app._get_current_object()
        # The host's session factory, so its session options and listeners
        # apply; but every statement goes to the jobs' engine (Flask-SQLAlchemy
        # would send a SELECT to the default engine whatever its tables' bind).
        session = self._db_by_app[app].session.session_factory()
        session.get_bind = _always(self.engine())
        session.info[LOCK_TIMEOUT] = app.config["JOBSTATE_RESET_LOCK_TIMEOUT"]
        try:
            yield session
        finally:
            session.close()

    def engine(self) -> Engine:
        """The engine of the database that holds the jobs (and so their state and history).

        Flask-SQLAlchemy's bind of the jobs table's metadata: the default
        engine, unless the host's tables carry a ``bind_key``. Every statement
        of a use case goes to this one engine, so its transaction is one.
        """
        app = current_app._get_current_object()
        engine = self._engine_by_app.get(app)
        if engine is None:
            engines = self._db_by_app[app].engines
            bind_key = self.tables.jobs.table.metadata.info.get("bind_key")
            if bind_key not in engines:
                raise ConfigurationError(
                    f"The jobs table's bind key {bind_key!r} is not in SQLALCHEMY_BINDS."
                )
            # Flask-SQLAlchemy makes an app's engines once, in its init_app.
            engine = self._engine_by_app[app] = engines[bind_key]
        return engine

    def create_tables(self) -> list[str]:
        """Create the tables of :meth:`owned_tables` that are missing; returns their names."""
        tables = self.owned_tables()
        try:
            models.metadata.create_all(self.engine(), tables=tables)
        except SQLAlchemyError as exc:
            logger.error("Creating the plugin's tables failed", exc_info=exc)
            raise StateDatabaseError("table creation") from exc
        return [table.name for table in tables]

    def authenticate(self, request: Request) -> Principal:
        """The caller of ``request``; NotAuthenticatedError (401) unless one is known.

        Fails closed: without an identity callable only
        ``JOBSTATE_RESET_ALLOW_ANONYMOUS`` lets a request in; with one, a None
        answer or a principal that names no customer is refused.
        """
        identity = self.identity or _configured_identity(current_app.config)
        if identity is None:
            if current_app.config["JOBSTATE_RESET_ALLOW_ANONYMOUS"]:
                return ANONYMOUS_PRINCIPAL
            raise NotAuthenticatedError()
        principal = identity(request)
        if principal is None or not principal.customer_id:
            raise NotAuthenticatedError()
        return principal

    def owned_tables(self) -> list[Table]:
        """The tables of the reference schema this extension uses (``init-db`` creates them)."""
        bound = [self.tables.jobs, self.tables.jdbc, self.tables.singer, self.tables.objects]
        used = {binding.table for binding in bound if binding is not None}
        return [
            table
            for table in models.metadata.sorted_tables
            if table in used or table is models.reset_history
        ]

    # The Python API: what the routes and the CLI call. Each needs an app context.

    def reset(
        self,
        job_id: str,
        *,
        streams: Sequence[str] | None = None,
        dry_run: bool = False,
        actor: str = ANONYMOUS,
        request_id: str | None = None,
        customer_id: str | None = None,
    ) -> ResetOutcome:
        """Reset a job's state (Singer: optionally only some streams), as the route does.

        ``customer_id`` limits it to that customer's jobs (others are not found).
        """
        request = ResetRequest(_streams(streams), dry_run, actor, request_id, customer_id)
        with self.session() as session:
            return reset_job_state(session, self.tables, self.registry, job_id, request)

    def reset_pipeline(
        self,
        pipeline_id: str,
        *,
        dry_run: bool = False,
        actor: str = ANONYMOUS,
        request_id: str | None = None,
        customer_id: str | None = None,
    ) -> PipelineOutcome:
        """Reset every job of a pipeline (of ``customer_id``'s jobs) in one transaction."""
        request = ResetRequest(None, dry_run, actor, request_id, customer_id)
        with self.session() as session:
            return reset_pipeline(session, self.tables, self.registry, pipeline_id, request)

    def inspect(self, job_id: str, *, customer_id: str | None = None) -> JobStateView:
        """The job's connector, generation, state and last reset."""
        with self.session() as session:
            return inspect_job(session, self.tables, self.registry, job_id, customer_id)

    def history(
        self,
        job_id: str,
        *,
        limit: int = 20,
        cursor: int | None = None,
        customer_id: str | None = None,
    ) -> HistoryPage:
        """The job's resets, newest first."""
        with self.session() as session:
            return job_history(session, self.tables, job_id, limit, cursor, customer_id)

    def begin_run(self, job_id: str) -> Run:
        """Start a run of a job: its state and generation, read in a short transaction.

        Needs an app context. The returned handle holds no transaction or
        lock; see :class:`jobstate_reset.runs.Run`.
        """
        app = current_app._get_current_object()
        with self.session() as session:
            start = begin_run(session, self.tables, self.registry, job_id)
        job = start.job
        return Run(
            job_id=job.job_id,
            connector=job.connector,
            load_type=job.load_type,
            generation=job.generation,
            state=start.state,
            _extension=self,
            _app=app,
        )


def _always(engine: Engine):
    """A session's ``get_bind`` that answers ``engine`` unless a call names its own bind."""

    def get_bind(mapper=None, clause=None, bind=None, **kwargs):
        return engine if bind is None else bind

    return get_bind


def _configured_identity(config) -> IdentityLoader | None:
    identity = config["JOBSTATE_RESET_IDENTITY"]
    return import_string(identity) if isinstance(identity, str) else identity


def _streams(streams: Sequence[str] | None) -> tuple[str, ...] | None:
    return None if streams is None else tuple(dict.fromkeys(streams))
