"""What every ``territoires`` command shares: exit codes, JSON output, a French parser.

Exit codes (docs/ARCHITECTURE.md, « Ligne de commande »): 0 success, 1 invalid input
or refused write, 2 usage error (including an unknown département), 3 internal error.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from typing import Any

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


def print_json(payload: Any) -> None:
    """Write ``payload`` as indented UTF-8 JSON on standard output."""
    json.dump(payload, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def fail(text: str, code: int = EXIT_USAGE) -> int:
    """Print ``territoires : text`` on standard error and return ``code``."""
    print(f"territoires : {text}", file=sys.stderr)
    return code


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]],
                 right: Sequence[int] = ()) -> str:
    """Plain-text table with aligned columns: a header line, then one line per row.

    Parameters
    ----------
    headers : sequence of str
        Column titles.
    rows : sequence of sequences
        Cells, printed with ``str``.
    right : sequence of int
        Indexes of the columns aligned right (numbers).
    """
    cells = [[str(c) for c in headers], *([str(c) for c in row] for row in rows)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(headers))]
    lines = [
        "  ".join(cell.rjust(w) if i in right else cell.ljust(w)
                  for i, (cell, w) in enumerate(zip(line, widths, strict=True))).rstrip()
        for line in cells
    ]
    return "\n".join(lines)


def usage_error(text: str) -> int:
    """A usage error: « territoires : erreur d'utilisation : … », exit 2."""
    return fail(f"erreur d'utilisation : {text}", EXIT_USAGE)


#: argparse's own English messages (Python 3.11+) and their French, applied to its output.
_ARGPARSE_FR: tuple[tuple[str, str], ...] = (
    (r"^usage: ", "utilisation : "),
    (r"\npositional arguments:\n", "\narguments :\n"),
    (r"\noptions:\n", "\noptions :\n"),
    (r"invalid choice: (.*) \(choose from (.*)\)", r"choix invalide : \1 (choix possibles : \2)"),
    (r"the following arguments are required: ", "arguments obligatoires manquants : "),
    (r"unrecognized arguments: ", "arguments non reconnus : "),
    (r"expected one argument", "une valeur est attendue"),
    (r"expected at least one argument", "au moins une valeur est attendue"),
    (r"invalid (\w+) value: ", r"valeur invalide (\1) : "),
    (r"ambiguous option: (\S+) could match ", r"option ambiguë : \1 peut désigner "),
    (r"not allowed with argument ", "incompatible avec l'argument "),
    (r"^argument (\S+): ", r"argument \1 : "),
)


def french_argparse(text: str) -> str:
    """argparse's usage, help and error texts in French (it has no French catalogue)."""
    for pattern, replacement in _ARGPARSE_FR:
        text = re.sub(pattern, replacement, text)
    return text


class FrenchParser(argparse.ArgumentParser):
    """ArgumentParser speaking French, whose usage errors exit with code 2."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", help="affiche cette aide et s'arrête")

    def format_usage(self) -> str:
        return french_argparse(super().format_usage())

    def format_help(self) -> str:
        return french_argparse(super().format_help())

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"territoires : erreur d'utilisation : {french_argparse(message)}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)
