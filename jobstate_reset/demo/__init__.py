"""A runnable host app: the plugin on an embedded SQLite database.

    flask --app jobstate_reset.demo run

``DATABASE_URL`` picks another database; the default is ``demo.db`` in the
app's instance folder. Tables are created and the API doc's jobs seeded on
start-up; jobs already present are left alone, so a reset survives a restart
(delete the database file to start over). Callers send one of the tokens of
:mod:`jobstate_reset.demo.identity` in ``Authorization``.
"""

from __future__ import annotations

import os

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import make_url

from .. import JobStateReset, models
from .identity import demo_identity
from .seed import seed_demo_jobs


def engine_options(url: str) -> dict:
    """What a production host sets on a server database, so an outage costs little.

    pool_pre_ping: a connection that died with the server is replaced on
    checkout, so the app needs no restart once the server is back.
    connect_timeout: while the server is unreachable, requests fail in seconds.
    The statement timeout bounds a statement that hangs; resets of millions of
    records take seconds, so it is generous.
    """
    backend = make_url(url).get_backend_name()
    if backend == "postgresql":
        connect_args = {"connect_timeout": 3, "options": "-c statement_timeout=60000"}
    elif backend == "mysql":
        connect_args = {
            "connect_timeout": 3,
            "init_command": "SET SESSION max_statement_time = 60",
        }
    else:
        return {}
    return {"pool_pre_ping": True, "connect_args": connect_args}


def create_app(database_url: str | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    default_url = "sqlite:///" + os.path.join(app.instance_path, "demo.db")
    url = database_url or os.environ.get("DATABASE_URL") or default_url
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(url)
    db = SQLAlchemy(app)
    JobStateReset(app, db=db, identity=demo_identity)
    with app.app_context():
        models.metadata.create_all(db.engine)
        seed_demo_jobs(db.session)
    return app
