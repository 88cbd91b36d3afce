"""uvicorn serving an ASGI app from a thread of the current process, on a free port of
127.0.0.1 (or of the ``host`` it is given).

Used where a whole child process would be overkill: the offline stand-in for
``ferag pipeline``, and the API and stand-in in the test suite.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp

from ferag.stack.servers import LOOPBACK, free_port


class ThreadedServer:
    def __init__(self, app: ASGIApp, host: str = LOOPBACK, ws: str = "websockets-sansio") -> None:
        self.host = host
        self.port = free_port(host)
        config = uvicorn.Config(
            app,
            host=host,
            port=self.port,
            log_config=None,
            lifespan="on",
            ws=ws,  # uvicorn's WebSocket protocol: "websockets-sansio" (its default), "websockets"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the in-process server did not start")
            time.sleep(0.02)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.server.should_exit = True
        self.thread.join(10)
