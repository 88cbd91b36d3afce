"""temporal: facts over time in the merge step (see ``docs/merge.md`` and the "Time" section of
``docs/rdf-model.md``).

A relation statement is a fact: immutable, except that merge may record when it stopped being
true (valid time, from the documents) and which version ended it (transaction time).

- ``times``: valid-time literals (``xsd:gYear``, ``xsd:gYearMonth``, ``xsd:date``) and their order;
- ``facts``: relation statements of the candidate and of production, read as ``Fact`` values;
- ``rules``: contradictions the ontology decides (functional, inverse-functional properties);
- ``judge``: the LLM's verdict on pairs the ontology cannot decide (one prompt, JSON answers,
  batches, cache);
- ``supersede``: what the candidate's facts do to production's (``merge_facts``: add/remove);
- ``descriptions``: an entity's description merged from production's and the candidate's.

The merge step (``graphrag_lib.merge.compute``) calls ``merge_facts``. Imports nothing from the
service.
"""
