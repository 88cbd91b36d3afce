"""Live progress of background tasks: persisted events, Redis pub/sub, WebSocket streams.

    step code ── ProgressReporter ──► publish_event ──► PostgreSQL (task_events, ordered seq)
                                                   └──► Redis channel ``task:{task_id}``
    API process: EventHub (one pub/sub connection) ──► Subscription ──► the socket, sent at once
                                                                    └──► queued for follow_task
                 └── polls the database for what a socket has not seen (Redis away, lost message)

Modules: ``schemas`` (event shapes), ``history`` (database reads and the append), ``publisher``,
``progress`` (the reporter steps use), ``hub``, ``eager`` (how the hub sends without a task per
socket), ``stream`` (replay + live + heartbeats for one subscriber), ``tickets`` (single-use
WebSocket tickets). Imports no FastAPI: the routes in ``ferag.api.routes.tasks`` and
``ferag.api.routes.ws`` wire it to HTTP and WebSockets.
"""
