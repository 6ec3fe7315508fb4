"""The connector registry: which strategy resets which connector type.

Strategies are found through the entry-point group ``jobstate_reset.strategies``,
the built-in ones included (see setup.cfg), so a third-party package adds a
connector the same way we do::

    [options.entry_points]
    jobstate_reset.strategies =
        kafka = my_package.reset:KafkaResetStrategy

A host can also choose a strategy instance in code, with
``JobStateReset(strategies=[...])`` or ``register_strategy``; that replaces
whatever an entry point registered for the same connector types.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import EntryPoint, entry_points

from ..errors import ConfigurationError, UnsupportedConnectorError
from ..tables import StateTables
from .base import ResetStrategy, StrategyContractError
from .jdbc import JdbcResetStrategy
from .object_store import ObjectStoreResetStrategy
from .singer import SingerResetStrategy

__all__ = [
    "ENTRY_POINT_GROUP",
    "JdbcResetStrategy",
    "ObjectStoreResetStrategy",
    "ResetStrategy",
    "SingerResetStrategy",
    "StrategyContractError",
    "StrategyRegistry",
    "load_registry",
]

ENTRY_POINT_GROUP = "jobstate_reset.strategies"


class StrategyRegistry:
    """Maps connector types (compared case-insensitively) to strategies."""

    def __init__(self) -> None:
        self._by_connector: dict[str, ResetStrategy] = {}

    def register(self, strategy: ResetStrategy) -> None:
        """Make ``strategy`` the one for each of its connector types."""
        if not strategy.connector_types:
            raise ConfigurationError(f"{type(strategy).__name__} declares no connector_types")
        for connector in strategy.connector_types:
            self._by_connector[connector.casefold()] = strategy

    def for_connector(self, connector: str) -> ResetStrategy:
        try:
            return self._by_connector[connector.casefold()]
        except KeyError:
            raise UnsupportedConnectorError(connector, self.connector_types) from None

    @property
    def connector_types(self) -> list[str]:
        return sorted(self._by_connector)


def load_registry(tables: StateTables, chosen: Iterable[ResetStrategy] = ()) -> StrategyRegistry:
    """A registry of every strategy installed under the entry-point group, then ``chosen``.

    ``chosen`` are the host's own strategies: they win over entry points for
    their connector types. Two installed packages claiming one connector type
    that the host did not choose for is an error: which one wins would depend on
    install order.
    """
    chosen = list(chosen)
    chosen_types = {connector.casefold() for s in chosen for connector in s.connector_types}
    registry = StrategyRegistry()
    claimed_by: dict[str, str] = {}
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        strategy_class = _load(entry_point)
        for connector in set(strategy_class.connector_types) - chosen_types:
            other = claimed_by.setdefault(connector.casefold(), entry_point.value)
            if other != entry_point.value:
                raise ConfigurationError(
                    f"connector type {connector!r} is claimed by both {other} and "
                    f"{entry_point.value}; pass the one to use in strategies=[...]"
                )
        strategy = strategy_class.from_tables(tables)
        if strategy is not None:
            registry.register(strategy)
    for strategy in chosen:
        registry.register(strategy)
    return registry


def _load(entry_point: EntryPoint) -> type[ResetStrategy]:
    try:
        return entry_point.load()
    except Exception as exc:
        raise ConfigurationError(
            f"reset strategy {entry_point.name} = {entry_point.value} failed to load: {exc}"
        ) from exc
