"""ferag: the service package (API, worker, persistence, events, store client, CLI, web UI)."""
