"""Domain operations behind the API routes: each takes a session (and clients) and raises
``ferag.errors`` on failure. No FastAPI here."""
