"""The connector registry: entry points, code registration, conflicts."""

from importlib.metadata import EntryPoint

import pytest
from sqlalchemy import Column, MetaData, String, Table

from jobstate_reset import (
    ConfigurationError,
    JdbcResetStrategy,
    JdbcStateTable,
    ObjectStoreResetStrategy,
    ResetStrategy,
    SingerResetStrategy,
    StateTables,
    UnsupportedConnectorError,
)
from jobstate_reset import strategies as registry_module
from jobstate_reset.strategies import ENTRY_POINT_GROUP, load_registry
from jobstate_reset.tables import JobsTable, reference_tables


class FtpResetStrategy(ResetStrategy):
    connector_types = ("ftp",)
    label = "FTP listing"

    def _clear(self, session, job):
        pass


class OtherJdbcResetStrategy(ResetStrategy):
    connector_types = ("jdbc",)
    label = "another JDBC"

    def _clear(self, session, job):
        pass


def installed(*entry_points):
    return lambda group: [ep for ep in entry_points if ep.group == group]


def entry_point(name, target):
    return EntryPoint(name, f"{__name__}:{target}", ENTRY_POINT_GROUP)


def test_builtins_come_from_the_installed_entry_points():
    registry = load_registry(reference_tables())
    assert registry.connector_types == ["azure", "jdbc", "s3", "singer"]
    assert isinstance(registry.for_connector("jdbc"), JdbcResetStrategy)
    assert isinstance(registry.for_connector("singer"), SingerResetStrategy)
    assert registry.for_connector("s3") is registry.for_connector("azure")
    assert isinstance(registry.for_connector("azure"), ObjectStoreResetStrategy)


def test_connector_types_ignore_case():
    registry = load_registry(reference_tables())
    assert registry.for_connector("S3") is registry.for_connector("s3")
    assert isinstance(registry.for_connector("JDBC"), JdbcResetStrategy)


def test_unknown_connector_names_the_registered_ones():
    registry = load_registry(reference_tables())
    with pytest.raises(UnsupportedConnectorError) as raised:
        registry.for_connector("ftp")
    assert raised.value.status_code == 501
    assert raised.value.detail == (
        "No reset strategy for connector type 'ftp'; registered: azure, jdbc, s3, singer"
    )


def test_a_third_party_entry_point_adds_a_connector(monkeypatch):
    monkeypatch.setattr(
        registry_module,
        "entry_points",
        installed(
            EntryPoint(
                "jdbc", "jobstate_reset.strategies.jdbc:JdbcResetStrategy", ENTRY_POINT_GROUP
            ),
            entry_point("ftp", "FtpResetStrategy"),
        ),
    )
    registry = load_registry(reference_tables())
    assert registry.connector_types == ["ftp", "jdbc"]


def test_two_packages_claiming_one_connector_fail_at_start(monkeypatch):
    monkeypatch.setattr(
        registry_module,
        "entry_points",
        installed(
            EntryPoint(
                "jdbc", "jobstate_reset.strategies.jdbc:JdbcResetStrategy", ENTRY_POINT_GROUP
            ),
            entry_point("other_jdbc", "OtherJdbcResetStrategy"),
        ),
    )
    with pytest.raises(ConfigurationError, match="'jdbc' is claimed by both"):
        load_registry(reference_tables())
    # the host settles it in code
    chosen = OtherJdbcResetStrategy()
    registry = load_registry(reference_tables(), [chosen])
    assert registry.for_connector("jdbc") is chosen


def test_a_broken_entry_point_names_itself(monkeypatch):
    monkeypatch.setattr(
        registry_module,
        "entry_points",
        installed(EntryPoint("gone", "no_such_module_xyz:Strategy", ENTRY_POINT_GROUP)),
    )
    with pytest.raises(ConfigurationError, match="gone = no_such_module_xyz:Strategy"):
        load_registry(reference_tables())


def test_code_registration_replaces_an_installed_strategy(extension):
    replacement = OtherJdbcResetStrategy()
    extension.register_strategy(replacement)
    assert extension.registry.for_connector("jdbc") is replacement
    assert isinstance(extension.registry.for_connector("singer"), SingerResetStrategy)


def test_a_kind_of_state_left_out_is_not_registered():
    tables = reference_tables()
    registry = load_registry(StateTables(jobs=tables.jobs, jdbc=tables.jdbc))
    assert registry.connector_types == ["jdbc"]


def test_a_strategy_must_declare_connector_types(extension):
    class Nameless(ResetStrategy):
        def _clear(self, session, job):
            pass

    with pytest.raises(ConfigurationError, match="declares no connector_types"):
        extension.register_strategy(Nameless())


def test_reset_itself_is_final():
    with pytest.raises(TypeError, match="overrides reset: implement _clear"):

        class Overriding(ResetStrategy):
            connector_types = ("x",)

            def reset(self, session, job):
                pass


def test_a_misnamed_column_fails_at_start():
    table = Table("watermarks", MetaData(), Column("job", String(64)), Column("hwm", String(64)))
    with pytest.raises(
        ConfigurationError, match=r"job_id='job_id', value='incremental_column_value'"
    ):
        JdbcStateTable(table)
    assert JdbcStateTable(table, job_id="job", value="hwm").column("value") is table.c.hwm
    with pytest.raises(ConfigurationError, match="has no column for connector='kind'"):
        JobsTable(
            table,
            job_id="job",
            pipeline_id="job",
            customer_id="job",
            load_type="job",
            connector="kind",
        )
