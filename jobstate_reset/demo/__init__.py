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

from .. import JobStateReset, models
from .identity import demo_identity
from .seed import seed_demo_jobs


def create_app(database_url: str | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    default_url = "sqlite:///" + os.path.join(app.instance_path, "demo.db")
    app.config["SQLALCHEMY_DATABASE_URI"] = (
        database_url or os.environ.get("DATABASE_URL") or default_url
    )
    db = SQLAlchemy(app)
    JobStateReset(app, db=db, identity=demo_identity)
    with app.app_context():
        models.metadata.create_all(db.engine)
        seed_demo_jobs(db.session)
    return app
