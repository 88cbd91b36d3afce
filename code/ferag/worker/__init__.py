"""The Celery worker: app, tasks (named ``ferag.*``), and its heartbeat."""
