"""resolution: which entities are one real-world thing, across languages, scripts, grammatical
cases, acronyms, short forms and renames (see ``docs/merge.md``).

- ``names``: the forms a name is compared in, and the keys candidates are looked up by;
- ``similarity``: the signals of a pair and its score;
- ``judge``: the LLM's verdict on unclear pairs (one prompt, JSON answers, batches, cache);
- ``resolver``: clusters from scored pairs under the constraints (classes, production,
  reviewers' decisions).

The merge step (``graphrag_lib.merge.resolve``) feeds it the cycle's and production's entities.
Imports nothing from the service.
"""
