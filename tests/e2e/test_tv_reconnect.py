"""How a TV comes back after its socket is cut: spread out, so a fleet cut at once (a load
balancer closing every socket, a task gone) does not land on the other tasks in one second."""

from __future__ import annotations

import asyncio
import time

import pytest
from playwright.async_api import BrowserContext

from tests.conftest import RunningServer
from tests.e2e.test_tv import FakeProtocolServer, fake, paired_tv, tv  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


async def test_the_first_retry_after_an_abnormal_close_is_spread_over_ten_seconds(
    tv: BrowserContext,  # noqa: F811
    live: RunningServer,
    fake: FakeProtocolServer,  # noqa: F811
) -> None:
    """A socket cut without a close (1006) is retried within random(0, 10 s), not 0.5 s: with
    the page's random number pinned near 1, the TV waits about ten seconds."""
    await tv.add_init_script("Math.random = function () { return 0.95; };")
    await paired_tv(tv, live, fake)
    cut_at = time.monotonic()
    for ws in list(fake.connections):
        ws.transport.abort()  # no close frame: the browser sees 1006
    await asyncio.wait_for(fake.hellos.get(), 20)
    waited = time.monotonic() - cut_at
    assert 8 < waited < 15, f"the TV came back after {waited:.1f} s"
