"""Triple store access through SPARQL 1.1 and the Fuseki admin API; nothing else."""
