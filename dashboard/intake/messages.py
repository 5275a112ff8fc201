"""Messages about a user's file: errors and warnings naming file, line and column.

Every message is in French and names the file, the line as the user sees it in their
spreadsheet (header = line 1) and the column as they wrote it. Errors make the file
invalid; warnings describe what was repaired or ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from dashboard.intake.parsers import printable

#: Error messages kept per file; beyond, one summary message says how many were left out.
MAX_ERRORS = 1000



@dataclass(frozen=True)
class Message:
    """An error or a warning about a file.

    Attributes
    ----------
    line : int or None
        Line in the user's spreadsheet (header = 1); None for the whole file.
    column : str or None
        Column header as written in the file (canonical name for a missing column).
    message : str
        Full French sentence naming file, line and column.
    """

    line: int | None
    column: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        """``{"line", "column", "message"}`` as in the CLI JSON."""
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass
class ValidationResult:
    """Outcome of the validation of one file.

    Attributes
    ----------
    kind : str
        Kind of data.
    rows : int
        Data rows (or features) read from the file.
    frame : DataFrame
        Normalised rows with canonical columns and dtypes (memberships for drawings).
    errors, warnings : list of Message
        What makes the file invalid, and what was repaired or ignored.
    columns : dict
        Canonical name → header as written in the file.
    unknown_headers : list of str
        Headers matched to no canonical column (offered for mapping in the page).
    """

    kind: str
    rows: int = 0
    frame: pd.DataFrame | None = None
    errors: list[Message] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    unknown_headers: list[str] = field(default_factory=list)
    #: Line of each row of ``frame`` as the user sees it (tables only; empty for drawings).
    lines: list[int] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """True when the file has no error."""
        return not self.errors


def column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column index: 0 → A, 27 → AB."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


class Collector:
    """Accumulates messages with the file name and the column letters."""

    def __init__(self, filename: str, result: ValidationResult, letters: dict[str, str]) -> None:
        self.filename = printable(filename) or "fichier"
        self.result = result
        self.letters = letters
        self.omitted = 0

    def _where(self, line: int | None, column: str | None) -> str:
        parts = [self.filename]
        if line is not None:
            parts.append(f"ligne {line}")
        if column is not None:
            letter = self.letters.get(column)
            shown = printable(column)
            parts.append(f"colonne {letter} « {shown} »" if letter else f"colonne « {shown} »")
        return ", ".join(parts)

    def error(self, line: int | None, column: str | None, text: str) -> None:
        if len(self.result.errors) >= MAX_ERRORS:
            self.omitted += 1
            return
        self.result.errors.append(Message(line, column, f"{self._where(line, column)} : {text}"))

    def errors(self, lines: list[int], column: str | None, texts: list[str]) -> None:
        """One error per line, in the order given (as many :meth:`error` calls)."""
        room = max(MAX_ERRORS - len(self.result.errors), 0)
        for line, text in zip(lines[:room], texts[:room], strict=True):
            self.error(line, column, text)
        self.omitted += max(len(lines) - room, 0)

    def warning(self, line: int | None, column: str | None, text: str) -> None:
        self.result.warnings.append(Message(line, column, f"{self._where(line, column)} : {text}"))

    def finish(self) -> None:
        order = {h: (len(letter), letter) for h, letter in self.letters.items()}
        self.result.errors.sort(
            key=lambda m: (m.line or 0, order.get(m.column or "", (0, "")))
        )
        if self.omitted:
            self.result.errors.append(
                Message(
                    None, None, f"{self.filename} : {self.omitted} autres erreurs non détaillées."
                )
            )


def lines_text(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:5])
    more = f" et {len(lines) - 5} autres" if len(lines) > 5 else ""
    return f"ligne{'s' if len(lines) > 1 else ''} {shown}{more}"
