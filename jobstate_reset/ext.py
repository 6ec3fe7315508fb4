"""The Flask extension a host app mounts."""

from __future__ import annotations

from collections.abc import Iterable
from weakref import WeakKeyDictionary

from flask import Flask, current_app
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import Session

from .config import apply_defaults
from .errors import ConfigurationError
from .routing import register_converters
from .runs import Run, begin_run
from .service import ResetOutcome, reset_job_state
from .strategies import ResetStrategy, load_registry
from .tables import StateTables, reference_tables
from .views import create_blueprint

EXTENSION_KEY = "jobstate_reset"


class JobStateReset:
    """Adds the job-state routes to a Flask app, on its Flask-SQLAlchemy database.

    ``db`` is the host's ``SQLAlchemy`` instance (default: the one already
    registered on the app). ``tables`` says where jobs and their state live
    (default: :mod:`jobstate_reset.models`). ``strategies`` are strategy
    instances that replace the installed ones for their connector types.
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        db: SQLAlchemy | None = None,
        tables: StateTables | None = None,
        strategies: Iterable[ResetStrategy] = (),
    ) -> None:
        self.db = db
        self.tables = tables or reference_tables()
        self.registry = load_registry(self.tables, strategies)
        # Per-app state, as Flask-SQLAlchemy keeps it: the extension never holds an app.
        self._db_by_app: WeakKeyDictionary[Flask, SQLAlchemy] = WeakKeyDictionary()
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
        register_converters(app)
        self._db_by_app[app] = db
        app.extensions[EXTENSION_KEY] = self
        app.register_blueprint(
            create_blueprint(self), url_prefix=app.config["JOBSTATE_RESET_URL_PREFIX"]
        )

    def register_strategy(self, strategy: ResetStrategy) -> None:
        """Use ``strategy`` for its connector types from now on."""
        self.registry.register(strategy)

    @property
    def session(self) -> Session:
        """The current app context's Flask-SQLAlchemy session (not its scoped proxy)."""
        return self._db_by_app[current_app._get_current_object()].session()

    def reset(self, job_id: str) -> ResetOutcome:
        """Reset a job's state, as the HTTP route does. Needs an app context."""
        return reset_job_state(self.session, self.tables, self.registry, job_id)

    def begin_run(self, job_id: str) -> Run:
        """Start a run of a job: its state and generation, read in a short transaction.

        Needs an app context to find the app; the read itself runs in a fresh
        one, so it neither uses nor commits the caller's session. The returned
        handle holds no transaction or lock. See :class:`jobstate_reset.runs.Run`.
        """
        app = current_app._get_current_object()
        with app.app_context():
            start = begin_run(self.session, self.tables, self.registry, job_id)
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
