"""Mounting the extension: registration rules, the db lookup, configuration."""

import re
from pathlib import Path

import pytest
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event

from jobstate_reset import ConfigurationError, JobStateReset
from jobstate_reset.config import SETTINGS
from tests.helpers import add_job, jdbc_value

README = Path(__file__).parents[1] / "README.rst"


def host_app(database_url, **config):
    app = Flask("host")
    app.config.update(
        SQLALCHEMY_DATABASE_URI=database_url, JOBSTATE_RESET_ALLOW_ANONYMOUS=True, **config
    )
    return app


def test_registered_under_its_name(app, extension):
    assert isinstance(extension, JobStateReset)
    assert "jobstate_reset" in app.blueprints


def test_a_second_registration_is_refused(app, extension):
    with pytest.raises(ConfigurationError, match="already been registered"):
        extension.init_app(app)
    with pytest.raises(ConfigurationError, match="already been registered"):
        JobStateReset(app)


def test_without_flask_sqlalchemy_it_says_what_to_do(database_url):
    with pytest.raises(ConfigurationError, match=r"db\.init_app"):
        JobStateReset(host_app(database_url))


def test_a_db_not_registered_on_the_app_is_refused(database_url):
    db = SQLAlchemy()
    with pytest.raises(ConfigurationError, match=r"call db\.init_app\(app\) before"):
        JobStateReset(db=db).init_app(host_app(database_url))


def test_factory_pattern_finds_the_hosts_db(database_url, engine):
    db = SQLAlchemy()
    job_state = JobStateReset()
    apps = [host_app(database_url), host_app(database_url)]
    for app in apps:
        db.init_app(app)
        job_state.init_app(app)
    for app in apps:
        job_id = add_job(engine, "jdbc", "incremental", state="3")
        assert app.test_client().post(f"/platform/jobs/{job_id}/reset-state").status_code == 200
        assert jdbc_value(engine, job_id) is None
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def test_url_prefix_is_configurable(database_url, engine):
    app = host_app(database_url, JOBSTATE_RESET_URL_PREFIX="/api/v2")
    db = SQLAlchemy(app)
    JobStateReset(app, db=db)
    job_id = add_job(engine, "jdbc", "incremental", state="3")
    client = app.test_client()
    assert client.post(f"/platform/jobs/{job_id}/reset-state").status_code == 404
    assert client.post(f"/api/v2/jobs/{job_id}/reset-state").status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_the_hosts_session_options_and_listeners_apply(database_url, engine):
    """A host that tags its sessions or sets per-transaction settings in a
    listener on db.session sees the plugin's transactions do the same."""
    app = host_app(database_url)
    db = SQLAlchemy(app, session_options={"info": {"tenant_aware": True}})
    JobStateReset(app, db=db)
    begun = []

    @event.listens_for(db.session, "after_begin")
    def host_listener(session, transaction, connection):
        begun.append(session.info.get("tenant_aware"))

    job_id = add_job(engine, "jdbc", "incremental", state="3")
    assert app.test_client().post(f"/platform/jobs/{job_id}/reset-state").status_code == 200
    assert begun == [True]
    assert jdbc_value(engine, job_id) is None
    with app.app_context():
        db.engine.dispose()


def test_defaults_do_not_override_the_host(app):
    assert app.config["JOBSTATE_RESET_URL_PREFIX"] == "/platform"
    other = Flask("other")
    other.config.update(SQLALCHEMY_DATABASE_URI="sqlite://", JOBSTATE_RESET_URL_PREFIX="/x")
    JobStateReset(other, db=SQLAlchemy(other))
    assert other.config["JOBSTATE_RESET_URL_PREFIX"] == "/x"


def test_every_setting_is_documented_in_the_readme():
    readme = README.read_text()
    for setting in SETTINGS:
        documented = rf"``{setting.key}``\s+``{re.escape(str(setting.default))}``"
        assert re.search(documented, readme), setting.key
