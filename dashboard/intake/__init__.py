"""Files in: readers, parsers, validation of tables and drawings, imports, templates,
the table loader and the Isère demonstration.

A user's file is read (:mod:`~dashboard.intake.readers`), validated
(:mod:`~dashboard.intake.tables`, :mod:`~dashboard.intake.drawings`) with messages naming
file, line and column (:mod:`~dashboard.intake.messages`), then written all or nothing
(:mod:`~dashboard.intake.imports`). :mod:`~dashboard.intake.loader` is where every reader
of the data gets its tables.
"""
