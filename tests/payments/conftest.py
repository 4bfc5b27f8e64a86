"""A localstripe server inside the test process, on 127.0.0.1 only, keeping its state in memory."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import warnings
from collections.abc import Iterator

import pytest


async def _shutdown(runner) -> None:
    await runner.cleanup()
    # Webhook deliveries still sleeping before their POST would otherwise die noisily with the loop.
    pending = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


@contextlib.contextmanager
def serve_localstripe() -> Iterator[str]:
    """Run localstripe's aiohttp app on a free 127.0.0.1 port; yields its base URL."""
    try:
        from aiohttp import web
        from localstripe import webhooks
        from localstripe.resources import Store, store

        with warnings.catch_warnings():
            # localstripe registers plain-function handlers, which aiohttp flags once per route.
            warnings.filterwarnings("ignore", "Bare functions are deprecated", DeprecationWarning)
            from localstripe.server import app
    except ImportError as error:
        pytest.skip(f"localstripe cannot be imported ({error}); install requirements.lock to run the Stripe tests")

    # The stock Store pickles itself into a fixed file under /tmp after every change.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Store, "dump_to_disk", lambda self: None)
        store.clear()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        loop = asyncio.new_event_loop()
        runner = web.AppRunner(app, access_log=None)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.SockSite(runner, sock).start())
        thread = threading.Thread(target=loop.run_forever, name="localstripe", daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            asyncio.run_coroutine_threadsafe(_shutdown(runner), loop).result(timeout=10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
            loop.close()
            webhooks._webhooks.clear()
            store.clear()


@pytest.fixture(scope="session")
def localstripe() -> Iterator[str]:
    """The base URL of a private localstripe server for the whole test session."""
    with serve_localstripe() as base_url:
        yield base_url
