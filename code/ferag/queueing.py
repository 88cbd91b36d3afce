"""The Celery configuration shared by the senders (the API) and the worker.

The API builds a broker-only client with ``make_celery`` and enqueues tasks by name; the
worker builds its app with the same function, so both agree on queue and serialisation.
"""

from __future__ import annotations

from celery import Celery

QUEUE = "ferag"


def make_celery(broker_url: str) -> Celery:
    app = Celery("ferag", broker=broker_url, backend=None)
    app.conf.update(
        task_default_queue=QUEUE,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": 12 * 3600},
    )
    return app
