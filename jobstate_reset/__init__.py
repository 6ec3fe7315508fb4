"""Reset the incremental state of data-platform sync jobs from a Flask app."""

__version__ = "0.1.0"  # first: modules imported below read it

from .errors import (
    ConfigurationError,
    JobNotFoundError,
    JobStateResetError,
    StateDatabaseError,
    UnsupportedConnectorError,
)
from .ext import JobStateReset
from .service import ResetOutcome
from .strategies import (
    JdbcResetStrategy,
    ObjectStoreResetStrategy,
    ResetStrategy,
    SingerResetStrategy,
)
from .tables import (
    JdbcStateTable,
    JobsTable,
    ObjectStateTable,
    SingerStateTable,
    StateTables,
)

__all__ = [
    "ConfigurationError",
    "JdbcResetStrategy",
    "JdbcStateTable",
    "JobNotFoundError",
    "JobStateReset",
    "JobStateResetError",
    "JobsTable",
    "ObjectStateTable",
    "ObjectStoreResetStrategy",
    "ResetOutcome",
    "ResetStrategy",
    "SingerResetStrategy",
    "SingerStateTable",
    "StateDatabaseError",
    "StateTables",
    "UnsupportedConnectorError",
    "__version__",
]
