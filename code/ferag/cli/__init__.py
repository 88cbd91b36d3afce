"""The ``ferag`` command line: ``ferag up`` runs the local stack, ``ferag status`` checks it.

Commands are thin: they read Settings and call ``ferag.stack``; they import no API or worker code.
"""
