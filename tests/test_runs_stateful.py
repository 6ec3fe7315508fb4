"""Hypothesis explores interleavings of begin_run, commit and reset against a model.

The model: each job has a generation and a state. A reset bumps the
generation and clears the state; a commit is written exactly when the run's
generation is still the job's, and then the state is the committed one.
"""

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from tests.helpers import add_job, generation, object_count, snapshot

CONNECTORS = ["jdbc", "singer", "s3"]
EXAMPLES = 40
STEPS = 30


def test_begin_commit_reset_interleavings(app, extension, engine, report):
    client = app.test_client()
    executed = {"steps": 0, "examples": 0, "refused": 0, "written": 0, "resets": 0}

    class Interleavings(RuleBasedStateMachine):
        runs = Bundle("runs")

        def __init__(self):
            super().__init__()
            executed["examples"] += 1
            self.jobs = {c: add_job(engine, c, "INCREMENTAL") for c in CONNECTORS}
            self.generation = dict.fromkeys(CONNECTORS, 0)
            # what the database must hold, exactly, for each job
            self.expected = {"jdbc": None, "singer": None, "s3": 0}
            self.serial = 0

        @rule(target=runs, connector=st.sampled_from(CONNECTORS))
        def begin(self, connector):
            executed["steps"] += 1
            run = extension.begin_run(self.jobs[connector])
            assert run.generation == self.generation[connector]
            return connector, run

        @rule(started=runs)
        def commit(self, started):
            executed["steps"] += 1
            connector, run = started
            self.serial += 1
            new_state = {
                "jdbc": {"incremental_column_value": str(self.serial)},
                "singer": {"bookmarks": {"s": {"v": self.serial}}},
                "s3": {"files": {f"k{self.serial}": "2026-12-01T00:00:00Z"}},
            }[connector]
            written = run.generation == self.generation[connector]
            assert run.commit(new_state) is written
            if not written:
                executed["refused"] += 1
                return
            executed["written"] += 1
            if connector == "jdbc":
                self.expected["jdbc"] = str(self.serial)
            elif connector == "singer":
                self.expected["singer"] = new_state
            else:
                self.expected["s3"] += 1  # commits add records

        @rule(connector=st.sampled_from(CONNECTORS))
        def reset(self, connector):
            executed["steps"] += 1
            executed["resets"] += 1
            response = client.post(f"/platform/jobs/{self.jobs[connector]}/reset-state")
            assert response.status_code == 200
            self.generation[connector] += 1
            if connector == "jdbc":
                self.expected["jdbc"] = None
            elif connector == "singer":
                # a state file that exists loses its bookmarks; none stays none
                self.expected["singer"] = self.expected["singer"] and {"bookmarks": {}}
            else:
                self.expected["s3"] = 0

        @invariant()
        def database_matches_the_model(self):
            for connector, job_id in self.jobs.items():
                assert generation(engine, job_id) == self.generation[connector]
            stored_jdbc = snapshot(engine, self.jobs["jdbc"])["jdbc"]
            assert (stored_jdbc[0]["incremental_column_value"] if stored_jdbc else None) == (
                self.expected["jdbc"]
            )
            stored_singer = snapshot(engine, self.jobs["singer"])["singer"]
            assert (stored_singer[0]["state_file"] if stored_singer else None) == (
                self.expected["singer"]
            )
            assert object_count(engine, self.jobs["s3"]) == self.expected["s3"]

    run_state_machine_as_test(
        Interleavings,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    report(f"stateful interleavings ({engine.dialect.name}): {executed}")
    assert executed["refused"] > 0 and executed["written"] > 0
