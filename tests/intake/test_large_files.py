"""Large files through the column-wise validation: every bad cell still named by its line
and column, repairs listed with all their lines, the same outcome whatever the chunk size
of the reader (real Isère reference, CSV in cp1252 with « ; » as users' spreadsheets
write it)."""

from __future__ import annotations

import pytest

from dashboard.intake import readers
from dashboard.intake.imports import check_file, import_file
from dashboard.intake.messages import MAX_ERRORS
from dashboard.intake.readers import RawTable
from dashboard.store.workspace import Workspace

HEADER = "N° opération;Code INSEE commune;Année de programmation;Nb PLAI;Nb PLUS;Statut;Libellé"


def _operations(rows: int, bad: dict[int, str], quoted: bool = False) -> bytes:
    """``rows`` valid operations; ``bad`` replaces the data row of a line (header = 1).

    ``quoted``: labels between quotes, as a spreadsheet writes a cell with a « ; » (the file
    is then read by the ``csv`` module; without any quote, by pandas' C reader).
    """
    label = '"Résidence {}"' if quoted else "Résidence {}"
    lines = [HEADER]
    for line in range(2, rows + 2):
        lines.append(bad.get(line, f"OP-{line};38185;2023;{line % 7};2;Agréée;"
                                   + label.format(line)))  # fmt: skip
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


BAD = {
    5: "OP-5;38185;2023;-3;2;Agréée;x",  # negative
    9: "OP-9;99999;2023;1;2;Agréée;x",  # unknown commune
    12: "OP-12;38185;2023;1;2;Agréée;x",  # fine
    13: ";;;;;;",  # a blank row: skipped, lines after it keep their number
    20: "OP-20;38185;deux mille;1;2;Agréée;x",  # not a year
    21: "OP-21;38185;2023;1;2;Agréée;x",
    22: "OP-21;38185;2024;1;2;Agréée;x",  # duplicate of line 21
    30: "OP-30;38185;2023;;2;Agréée;x",  # missing required value
    31: "OP-31;1004;2023;1;2;Agréée;x",  # a code of Ain: unknown in Isère
    40: "OP-40;38185;2023;1;2;Agréée;x",
    41: "OP-41;38185;2023;-3;2;Agréée;x",  # the same negative text again: said again
    50: "OP-50;38185;2023;1;2;en travaux;x",  # not a status
}


def _where(report, line: int) -> list[str]:
    return [m.message for m in report.errors if m.line == line]


def test_every_bad_cell_named_with_line_and_column(isere):
    report = check_file("operations", _operations(60, BAD), "ops.csv", isere)
    assert report.rows == 59  # 60 rows, one of them blank
    assert [m.line for m in report.errors] == [5, 9, 20, 22, 30, 31, 41, 50]
    assert _where(report, 5) == [
        "ops.csv, ligne 5, colonne D « Nb PLAI » : valeur négative interdite : « -3 »"]
    assert _where(report, 41) == [
        "ops.csv, ligne 41, colonne D « Nb PLAI » : valeur négative interdite : « -3 »"]
    assert _where(report, 9) == [
        "ops.csv, ligne 9, colonne B « Code INSEE commune » : code INSEE « 99999 » inconnu "
        "dans le référentiel du département 38"]
    assert _where(report, 20) == [
        "ops.csv, ligne 20, colonne C « Année de programmation » : année attendue (AAAA), "
        "« deux mille » trouvé"]
    assert _where(report, 22) == [
        "ops.csv, ligne 22, colonne A « N° opération » : doublon de la ligne 21 (OP-21)"]
    assert _where(report, 30) == [
        "ops.csv, ligne 30, colonne D « Nb PLAI » : valeur obligatoire manquante "
        "(logements PLA-I)"]
    assert "code INSEE « 1004 » inconnu" in _where(report, 31)[0]  # as written, then refused
    assert _where(report, 50)[0].startswith(
        "ops.csv, ligne 50, colonne F « Statut » : valeur « en travaux » non autorisée")
    assert report.lines[:13] == [*range(2, 13), 14, 15]  # line 13 is blank


def test_a_repair_lists_all_its_lines(isere):
    old = (3, 8, 9, 15, 40, 41, 58)  # Autrans, merged into Autrans-Méaudre en Vercors
    bad = {line: f"OP-{line};38021;2023;1;2;Agréée;x" for line in old}
    report = check_file("operations", _operations(60, bad), "ops.csv", isere)
    assert report.valid
    merged = [w for w in report.warnings if "fusionnée" in w.message]
    assert len(merged) == 1
    assert merged[0].line == 3
    assert merged[0].message.startswith("ops.csv, ligne 3, colonne B « Code INSEE commune » : "
                                        "code INSEE « 38021 » de l'ancienne commune Autrans")
    assert merged[0].message.endswith("(lignes 3, 8, 9, 15, 40 et 2 autres)")
    codes = dict(zip(report.lines, report.frame["code_insee"], strict=True))
    assert {codes[line] for line in old} == {"38225"}


def test_both_readers_and_their_chunks_change_nothing(isere, monkeypatch):
    plain = check_file("operations", _operations(60, BAD), "ops.csv", isere)
    quoted = _operations(60, BAD, quoted=True)
    assert b'"' in quoted
    for chunk in (readers.CHUNK_ROWS, 7):  # 7: a blank row and errors across chunks
        monkeypatch.setattr(readers, "CHUNK_ROWS", chunk)
        report = check_file("operations", quoted, "ops.csv", isere)
        assert report.as_dict() == plain.as_dict()
        assert report.lines == plain.lines
        assert report.frame.equals(plain.frame)
    assert len(plain.errors) == 8


def test_errors_beyond_the_cap_are_counted(isere):
    rows = MAX_ERRORS + 500
    bad = {line: f"OP-{line};38185;2023;-{line};2;Agréée;x" for line in range(2, rows + 2)}
    report = check_file("operations", _operations(rows, bad), "ops.csv", isere)
    assert len(report.errors) == MAX_ERRORS + 1
    assert report.errors[-1].message == "ops.csv : 500 autres erreurs non détaillées."
    assert report.errors[MAX_ERRORS - 1].line == MAX_ERRORS + 1


@pytest.mark.parametrize("rows", [25_000])
def test_a_large_file_round_trips(isere, tmp_path, rows):
    """More rows than a chunk of the reader: every row written as read."""
    data = _operations(rows, {})
    with Workspace(tmp_path) as ws:
        report = import_file("operations", data, "ops.csv", ws, isere)
        assert report.imported
        assert report.rows_written == rows
        stored = ws.read("operations")
    assert stored["id_operation"].tolist() == [f"OP-{line}" for line in range(2, rows + 2)]
    assert stored["nb_plai"].sum() == sum(line % 7 for line in range(2, rows + 2))
    assert set(stored["statut"]) == {"agreee"}


TRICKY = [
    "a;b;c\r\n1;2;3\r\n",
    "\r\n \t ; ;\r\na;b\r\n\r\n1;2\r\n ; \r\n3\r\n",  # header on line 2, blank and short rows
    "a;b\r1;2\r3;4;5;6\r;;;;x\r",  # lone CR, rows longer than the header
    "a\tb\n1\u00a0\t 2 \n\u20031\u2003\t\x1fx\x1f\n",  # tabs, Unicode spaces, separators
    "a,b\n1,\x1a\n\x0c,\x85\n\u2028x,y\n",  # characters some readers take for line ends
    " ; ; \n \n",  # no header at all
]


@pytest.mark.parametrize("text", TRICKY)
def test_plain_and_quoted_files_read_alike(text):
    """A file without any quote (pandas' C reader) and the same file ending with a quoted
    empty row (the ``csv`` module) give the same table, or the same refusal."""
    from dashboard.intake.readers import ReadError, read_csv_bytes

    def read(data: bytes):
        try:
            table = read_csv_bytes(data)
        except ReadError as exc:
            return str(exc)
        return table.headers, table.rows, table.details

    plain = read(text.encode("utf-8"))
    assert plain == read((text + '\n""\n').encode("utf-8"))


def test_values_settled_by_arrow_are_those_of_the_parsers(isere, monkeypatch):
    """Columns of many distinct values: plain texts and decimals are settled by Arrow, the
    others by the parsers; the outcome is the parsers' own, cell for cell."""
    import random

    from dashboard.intake import messages, tables

    monkeypatch.setattr(messages, "MAX_ERRORS", 100_000)
    rng = random.Random(11)
    alphabet = ["a", "1", "9", "0", ",", ".", "-", "+", " ", "\t", "\n", "\r", "\x00", "\x1f",
                "\x7f", "\x85", "\u202b", "\u2067", "é", "E", "x"]  # fmt: skip

    def text() -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 7))).strip() or "z"

    def number() -> str:
        digits = str(rng.randint(0, 99_999)) if rng.random() < 0.8 else ""
        return f"{rng.choice(['', '-'])}{rng.randint(0, 999)}{rng.choice(['', ',', '.'])}{digits}"

    rows = [[text() if rng.random() < 0.5 else f"OP{i}", "38185", "2022", "1", text(),
             number() if rng.random() < 0.7 else text(), number()]
            for i in range(6000)]  # fmt: skip
    raw = RawTable(["id_operation", "code_insee", "annee", "nb_plai", "libelle", "latitude",
                    "nb_plus"], [(i + 2, r) for i, r in enumerate(rows)], "csv")  # fmt: skip
    settled = tables.validate_table("operations", raw, isere, "x.csv")
    monkeypatch.setattr(tables, "_plain_values", lambda *_: None)
    parsed = tables.validate_table("operations", raw, isere, "x.csv")
    assert len(settled.errors) > 10_000  # control characters, bad numbers, negatives…
    assert settled.errors == parsed.errors
    assert settled.warnings == parsed.warnings
    assert settled.frame.equals(parsed.frame)


def test_line_extents_read_in_slices_agree_with_the_whole(monkeypatch):
    # Lines of varied widths and lengths, one longer than a slice, « \r\n » and « \r » ends.
    lines = [";".join(["x" * (i % 13)] * (1 + i % 9)) for i in range(400)]
    lines[123] = "a;" * 40 + "b" * 300  # the widest and the longest line
    data = ("\r\n".join(lines[:200]) + "\r" + "\n".join(lines[200:])).encode()
    whole = readers._line_extents(data, ";")
    assert whole[1] == 41
    assert len(lines[123]) <= whole[0] <= len(lines[123]) + 2  # with its line end
    for size in (64, 97, 256, 1000):  # slices cut inside, around and after that line
        monkeypatch.setattr(readers, "_SLICE", size)
        assert readers._line_extents(data, ";") == whole
    assert readers._line_extents(b"a;b;c", ";")[1] == 3  # no line end at all


def test_a_checked_file_is_valid_with_its_cells_released(isere):
    data = _operations(1500, {})  # above the size where Arrow settles plain texts
    report = check_file("operations", data, "ops.csv", isere)
    assert report.valid
    assert report.rows == 1500
    assert report.frame["id_operation"].iloc[-1] == "OP-1501"
    assert report.lines[0] == 2
    assert report.lines[-1] == 1501


def test_repeated_labels_share_one_string_and_keep_their_values(isere):
    """A label repeated down a column (a bailleur) is one string object for all its cells;
    the values, the empty cells and a label written once stay as they were."""
    header = "N° opération;Code INSEE commune;Année de programmation;Nb PLAI;Statut;Bailleur"
    lines = [header]
    for line in range(2, 1502):
        bailleur = "" if line % 10 == 0 else ("Unique SA" if line == 7 else f"B{line % 3}")
        lines.append(f"OP-{line};38185;2023;1;Agréée;{bailleur}")
    report = check_file("operations", ("\r\n".join(lines) + "\r\n").encode("cp1252"),
                        "ops.csv", isere)  # fmt: skip
    assert report.valid
    bailleurs = report.frame["bailleur"].tolist()
    expected = [None if line % 10 == 0 else ("Unique SA" if line == 7 else f"B{line % 3}")
                for line in range(2, 1502)]  # fmt: skip
    assert [None if b is None or b != b else b for b in bailleurs] == expected
    # While the columns are parsed (the peak of memory), « B2 » is one object.
    import numpy as np
    import pyarrow as pa

    from dashboard.intake.messages import Collector, ValidationResult
    from dashboard.intake.tables import _parse_column
    from dashboard.store.schemas import KINDS

    cells = pa.array([f"B{i % 3}" if i % 10 else None for i in range(1500)])
    out = Collector("ops.csv", ValidationResult("operations"), {})
    parsed = _parse_column(KINDS["operations"].column("bailleur"), "Bailleur", cells,
                           np.arange(2, 1502), isere, out)  # fmt: skip
    assert parsed[1] == "B1"
    assert parsed[1] is parsed[4]
    assert parsed[0] is None
    assert not out.result.errors


def test_arrow_allocates_with_jemalloc_unless_told_otherwise():
    import os
    import subprocess
    import sys

    import pyarrow as pa

    if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        assert pa.default_memory_pool().backend_name in ("jemalloc", "system")
    script = "import dashboard, pyarrow as pa; print(pa.default_memory_pool().backend_name)"
    env = {**os.environ, "ARROW_DEFAULT_MEMORY_POOL": "system"}
    told = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, check=True)  # fmt: skip
    assert told.stdout.strip() == "system"


def test_a_large_file_names_the_same_text_errors_as_a_small_one(isere):
    # The same defects in an identifier: read value by value below 1 000 rows, by Arrow
    # above. A missing id, an id with a control character, a duplicate.
    bad = {4: ";38185;2023;1;2;Agréée;x", 6: "OP-\x07;38185;2023;1;2;Agréée;x",
           8: "OP-7;38185;2023;1;2;Agréée;x"}  # fmt: skip
    small = check_file("operations", _operations(40, bad), "ops.csv", isere)
    large = check_file("operations", _operations(1500, bad), "ops.csv", isere)
    assert [m.line for m in small.errors] == [4, 6, 8]
    assert [m.as_dict() for m in large.errors] == [m.as_dict() for m in small.errors]
    ids = large.frame["id_operation"]
    assert ids.iloc[:2].tolist() == ["OP-2", "OP-3"]
    assert ids.isna().tolist()[:4] == small.frame["id_operation"].isna().tolist()[:4]
