"""Signals a host can connect to (blinker, as Flask's own signals).

``state_reset`` is sent after a reset has committed, never on a rollback or a
preview; ``sender`` is the app, ``outcome`` the ResetOutcome (one signal per
job, also for each job of a pipeline reset)::

    from jobstate_reset.signals import state_reset

    @state_reset.connect_via(app)
    def log_reset(app, outcome):
        app.logger.info("job %s reset by %s", outcome.job_id, outcome.actor)
"""

from blinker import Namespace

_signals = Namespace()

state_reset = _signals.signal("jobstate-reset.state-reset")
