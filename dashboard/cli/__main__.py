"""``python -m dashboard.cli``: the ``territoires`` command."""

from dashboard.cli.parser import main

raise SystemExit(main())
