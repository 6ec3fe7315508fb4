"""Fuzzing: schemathesis against the OpenAPI document, and Hypothesis over raw requests.

Both run over the WSGI app on the test database, as an authenticated caller
whose jobs include the document's example ids. Zero server errors allowed;
the number of cases run is printed in the summary.
"""

import json

import pytest
import schemathesis
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

from jobstate_reset import JobStateReset
from jobstate_reset.openapi import build_openapi
from tests.helpers import add_job
from tests.test_security import TOKENS, identity
from tests.test_strategies import SINGER_STATE

AUTH = {"Authorization": "alice-token"}
EXAMPLE_PIPELINE = "1b33ad2f_33d3_4837_9eeb_83c82c8b909d"
SCHEMATHESIS_EXAMPLES = 100


@pytest.fixture
def fuzz_app(database_url, engine):
    app = Flask("fuzzed_host")
    app.config.update(SQLALCHEMY_DATABASE_URI=database_url, JOBSTATE_RESET_MAX_BODY_BYTES=4096)
    db = SQLAlchemy(app)
    JobStateReset(app, identity=identity)
    for index, (connector, state) in enumerate(
        [("jdbc", "5"), ("singer", SINGER_STATE), ("s3", [])]
    ):
        add_job(
            engine,
            connector,
            "incremental",
            state=state,
            pipeline_id=EXAMPLE_PIPELINE,
            index=index,
            customer_id=TOKENS["alice-token"].customer_id,
        )
    yield app
    with app.app_context():
        db.engine.dispose()


# A schema-valid body can still break a business rule: streams the job has no
# bookmark for, or streams on a job that is not Singer. Those 422s are allowed
# for valid data, and business_rule_rejections_only (below) checks that no
# other 422 answers a valid request.
VALID_DATA_STATUSES = ["2xx", "401", "403", "404", "422"]
# Invalid data may also be refused for its size: 413 is a rejection too.
INVALID_DATA_STATUSES = ["400", "401", "403", "404", "405", "413", "415", "422"]
FUZZ_CONFIG = SchemathesisConfig.from_dict(
    {
        # schemathesis sends the token itself, so its negative cases can also
        # leave it out (and check that the API then refuses)
        "auth": {"openapi": {"accessToken": {"api_key": AUTH["Authorization"]}}},
        "checks": {
            "positive_data_acceptance": {"expected-statuses": VALID_DATA_STATUSES},
            "negative_data_rejection": {"expected-statuses": INVALID_DATA_STATUSES},
        },
    }
)
BUSINESS_RULES = ("Unknown stream: ", "streams apply to Singer jobs only")


@pytest.fixture
def api_schema(fuzz_app):
    return schemathesis.openapi.from_wsgi(
        "/platform/openapi.json", fuzz_app, config=FUZZ_CONFIG, headers=AUTH
    )


def business_rule_rejections_only(ctx, response, case):
    """For valid data, a 422 may only be about the job's streams."""
    if response.status_code == 422:
        errors = response.json()["errors"]
        assert set(errors) == {"streams"}, errors
        assert all(message.startswith(BUSINESS_RULES) for message in errors["streams"]), errors


def test_the_document_is_valid_openapi(fuzz_app):
    with fuzz_app.app_context():
        document = build_openapi(fuzz_app)
    validate(document)
    assert set(document["paths"]) == {
        "/platform/jobs/{job_id}/reset-state",
        "/platform/pipelines/{pipeline_id}/reset-state",
        "/platform/jobs/{job_id}/state",
        "/platform/jobs/{job_id}/state/history",
        "/platform/openapi.json",
    }
    assert document["components"]["securitySchemes"]["accessToken"]["name"] == "Authorization"


def test_the_route_serves_the_document(fuzz_app):
    client = fuzz_app.test_client()
    assert client.get("/platform/openapi.json").status_code == 401
    served = client.get("/platform/openapi.json", headers=AUTH).json
    with fuzz_app.app_context():
        assert served == build_openapi(fuzz_app)


# schemathesis' own pytest decorator breaks on pytest 9.2 (it reads a removed node
# attribute), so each operation's strategy is driven by Hypothesis here directly:
# the same generated cases and the same default checks of call_and_validate.
def exercise(operation, mode, ran, statuses):
    """Hypothesis over one operation's generated cases, each sent and checked."""
    extra = [business_rule_rejections_only] if mode is GenerationMode.POSITIVE else []

    @settings(
        max_examples=SCHEMATHESIS_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def send(case):
        ran[operation.label] = ran.get(operation.label, 0) + 1
        response = case.call_and_validate(additional_checks=extra)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    send()


# schemathesis' own pytest decorator breaks on pytest 9.2 (it reads a removed node
# attribute), so each operation's strategy is driven by Hypothesis here directly:
# the same generated cases and the same default checks of call_and_validate.
@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda mode: mode.value)
def test_schemathesis(api_schema, report, mode):
    ran: dict[str, int] = {}
    statuses: dict[int, int] = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    for operation in operations:
        exercise(operation, mode, ran, statuses)
    report(
        f"schemathesis {mode.value} cases: {sum(ran.values())} {dict(sorted(ran.items()))}, "
        f"by status {dict(sorted(statuses.items()))}"
    )
    assert set(ran) == {operation.label for operation in operations}
    if mode is GenerationMode.POSITIVE:
        assert statuses.get(200, 0) > 0, "the generated cases never got past authentication"


NASTY_TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "..",
            ".",
            "%2e%2e",
            "a/../b",
            "' OR '1'='1",
            "0;DROP TABLE jobstate_jobs",
            "\x00",
            "%00",
            "%2F",
            "x" * 20_000,
            "1b33ad2f_33d3_4837_9eeb_83c82c8b909d_0%0A",
        ]
    ),
)
HEADERS = st.dictionaries(
    st.sampled_from(
        [
            "Authorization",
            "Content-Type",
            "X-Request-ID",
            "Content-Length",
            "Accept",
            "Transfer-Encoding",
        ]
    ),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60),
    max_size=4,
)
BODIES = st.one_of(
    st.none(),
    st.binary(max_size=200),
    st.text(max_size=200).map(str.encode),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=10,
    ).map(lambda value: json.dumps(value).encode()),
    st.just(b'{"streams": ' + b'["s"' + b', "s"' * 5000 + b"]}"),
    st.integers(100, 3000).map(lambda depth: b"[" * depth),  # nested past the recursion limit
)


RAW_EXAMPLES = 500
ROUTES = [
    ("POST", "/platform/jobs/{}/reset-state"),
    ("POST", "/platform/pipelines/{}/reset-state"),
    ("GET", "/platform/jobs/{}/state"),
    ("GET", "/platform/jobs/{}/state/history"),
]
RAW_REQUESTS = st.fixed_dictionaries(
    {
        # mostly each route with its own method, so requests get past routing
        "target": st.one_of(
            *[st.sampled_from(ROUTES)] * 3,
            st.tuples(
                st.sampled_from(["PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]),
                st.sampled_from([route for _, route in ROUTES]),
            ),
        ),
        "ident": NASTY_TEXT,
        "query": st.sampled_from(
            ["", "", "", "?dry_run=true", "?dry_run=%00", "?limit=-1&cursor=%27", "?dry_run=1"]
        ),
        "headers": HEADERS,
        "body": BODIES,
        "authenticated": st.sampled_from([True, True, True, False]),
    }
)


def test_raw_requests_never_fail_the_server(fuzz_app, report):
    """Hypothesis over ids, query strings, headers and bodies: JSON, and never a 5xx."""
    statuses: dict[int, int] = {}
    client = fuzz_app.test_client()

    @settings(max_examples=RAW_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(request=RAW_REQUESTS)
    def send(request):
        headers = dict(request["headers"])
        if request["authenticated"]:
            headers.update(AUTH)
        headers.pop("Content-Length", None)
        headers.pop("Transfer-Encoding", None)
        ident = request["ident"].replace("/", "%2F").replace("?", "%3F").replace("#", "%23")
        method, route = request["target"]
        path = route.format(ident) + request["query"]
        response = client.open(path, method=method, headers=headers, data=request["body"])
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert response.status_code < 500, (response.status_code, response.get_data()[:300])
        if method != "HEAD":
            assert response.mimetype == "application/json", response.get_data()[:300]
            assert "detail" in response.json or response.status_code == 200

    send()
    report(f"raw requests: {sum(statuses.values())} by status {dict(sorted(statuses.items()))}")
