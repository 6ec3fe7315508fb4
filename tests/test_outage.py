"""The database goes away during a load run and comes back (reliability/outage.py).

Not part of the default run: it creates, stops and starts a PostgreSQL cluster
of its own (Debian's pg_createcluster, as root). Run it with::

    pytest -m outage
"""

import pytest

from reliability import outage


@pytest.mark.outage
def test_requests_fail_fast_while_down_and_succeed_once_back(report):
    result = outage.run(before=2, down=3, after=4)
    report(
        f"outage: {result['requests']} requests, {result['while down']} while down "
        f"(slowest {result['slowest answer while down s']}s), restart at "
        f"{result['server started at s']}s, first success at "
        f"{result['first success after the restart at s']}s"
    )
    assert result["checks"] == dict.fromkeys(result["checks"], True), result
