"""Everything ferag needs from a language model, and the offline model stand-in.

``standin`` is a deterministic, rule-based OpenAI-compatible HTTP server (not a model) that lets the
whole stack run with no model server; ``ferag up`` starts it when ``FERAG_LLM_BASE_URL`` is empty.
``openai_wire`` holds OpenAI's request and response types, shared by the stand-in and the API's
OpenAI-compatible ``/v1``. This package imports nothing from the API, the worker or the database
layer.
"""
