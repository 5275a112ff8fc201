"""The ``territoires`` command line: thin commands over the domain packages.

Nothing outside this package imports it. :func:`main` is the console script.
"""

from dashboard.cli.parser import build_parser, main

__all__ = ["build_parser", "main"]
