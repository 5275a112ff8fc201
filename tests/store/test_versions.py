"""No silent wipe, every import undoable, in the data layer: a file with no row does not
empty a table, each write keeps the previous content of its table (same transaction),
``Workspace.restore`` puts it back (logged, checked, undoable), retention drops the oldest
versions, a délégué's EPCI must exist, and SQLite readers never wait for a writer (WAL)."""

from __future__ import annotations

import hashlib
import sqlite3

import pandas as pd
import pytest

from dashboard.intake.imports import import_file
from dashboard.store.permissions import (
    ADMINISTRATEUR,
    COMITE,
    DELEGUE_EPCI,
    LECTEUR,
    Acteur,
    PermissionRefusee,
)
from dashboard.store.schemas import KINDS, coerce_frame
from dashboard.store.workspace import (
    DATABASE_FILE,
    METADATA,
    ImportRecord,
    RestoreImpossibleError,
    UnknownEpciError,
    UnknownImportError,
    WipeRefusedError,
    WorkspaceError,
    history_records,
    open_workspace,
    versions_table,
)
from tests.paths import CORPUS

ADMIN = Acteur("admin@isere.fr", ADMINISTRATEUR, "Admin")
METRO, GRESIVAUDAN, GRENOBLE = "200040715", "200018166", "38185"
DELEGUE_METRO = Acteur("delegue@metro.fr", DELEGUE_EPCI, "Denis Délégué", METRO)
HEADER_ONLY = b"id_operation;code_insee;annee;nb_plai\r\n"


def operations(prefix: str, count: int) -> bytes:
    body = "".join(f"{prefix}-{i};38185;2023;{i % 9}\n" for i in range(count))
    return ("id_operation;code_insee;annee;nb_plai\n" + body).encode()


def realisations(*rows: tuple[str, str, int, float]) -> bytes:
    body = "".join(f"{t};{c};contingent_attributions;{a};{v}\n" for t, c, a, v in rows)
    return ("territoire_type;territoire_code;indicateur;annee;valeur\n" + body).encode()


def fingerprint(ws) -> str:
    """SQLite: SHA-256 of the file (after closing the handle); PostgreSQL: of every table,
    every version table and the log, as text."""
    ws.close()
    if ws.database_path is not None:
        return hashlib.sha256(ws.database_path.read_bytes()).hexdigest()
    text = "".join(ws.read(kind).to_csv() for kind in KINDS) + ws.history().to_csv()
    with ws.engine.connect() as conn:
        for kind in KINDS:
            table = METADATA.tables[versions_table(kind)]
            text += repr(conn.execute(table.select().order_by(table.c.id)).all())
    ws.close()
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def ws(tmp_path, isere):
    """A workspace whose operations table holds the two rows of a real Sisal extract."""
    workspace = open_workspace(tmp_path / "ws")
    data = (CORPUS / "ops_cp1252_semicolon.csv").read_bytes()
    assert import_file("operations", data, "ops.csv", workspace, isere, acteur=ADMIN).imported
    yield workspace
    workspace.close()


def test_header_only_file_is_refused_and_leaves_the_workspace_byte_identical(ws, isere):
    before = fingerprint(ws)
    report = import_file("operations", HEADER_ONLY, "vide.csv", ws, isere, acteur=ADMIN)
    assert not report.imported
    assert report.wipe == 2
    assert "viderait la table (2 lignes)" in report.errors[-1].message
    assert "vide.csv" in report.errors[-1].message
    assert fingerprint(ws) == before
    if ws.database_path is not None:  # no journal, WAL or temporary file left either
        assert sorted(p.name for p in ws.database_path.parent.iterdir()) == [DATABASE_FILE]
    assert ws.count("operations") == 2
    assert len(ws.history()) == 1


def test_the_write_itself_refuses_to_empty_a_table(ws):
    """``Workspace.write`` refuses too, whatever its caller checked, and writes nothing."""
    before = fingerprint(ws)
    empty = coerce_frame("operations", pd.DataFrame(columns=KINDS["operations"].names))
    record = ImportRecord("operations", "direct", "", 0)
    with pytest.raises(WipeRefusedError, match="viderait la table"):
        ws.write("operations", empty, record, acteur=ADMIN)
    assert fingerprint(ws) == before
    # appending no row, or emptying an empty table, is no wipe
    ws.write("operations", empty, ImportRecord("operations", "rien", "", 0, mode="append"),
             acteur=ADMIN)
    assert ws.count("operations") == 2


def test_allowed_wipe_then_restore_brings_every_row_back(ws, isere):
    rows = ws.read("operations")
    report = import_file("operations", HEADER_ONLY, "vide.csv", ws, isere, acteur=ADMIN,
                         allow_empty=True)
    assert report.imported
    assert (report.rows_written, report.rows_replaced) == (0, 2)
    assert ws.count("operations") == 0
    done = ws.restore(report.import_id, ADMIN)
    assert (done.restored, done.kind, done.rows_before, done.rows_after) == (
        report.import_id, "operations", 0, 2)
    pd.testing.assert_frame_equal(ws.read("operations"), rows)
    entry = history_records(ws.history())[0]
    assert (entry["id"], entry["mode"], entry["lignes"], entry["lignes_avant"]) == (
        done.import_id, "restauration", 2, 0)
    assert entry["fichier"] == f"état d'avant l'import n° {report.import_id}"
    assert (entry["utilisateur"], entry["role"]) == ("admin@isere.fr", "administrateur")


def test_restore_of_a_restore_and_of_an_append(ws, isere):
    first = ws.read("operations")
    replaced = import_file("operations", operations("B", 3), "b.csv", ws, isere, acteur=ADMIN)
    appended = import_file("operations", operations("C", 2), "c.csv", ws, isere, mode="append",
                           acteur=ADMIN)
    assert ws.read("operations")["id_operation"].tolist() == ["B-0", "B-1", "B-2", "C-0", "C-1"]
    undo_append = ws.restore(appended.import_id, ADMIN)
    assert ws.read("operations")["id_operation"].tolist() == ["B-0", "B-1", "B-2"]
    ws.restore(undo_append.import_id, ADMIN)  # the restore undone: the append is back
    assert ws.read("operations")["id_operation"].tolist() == ["B-0", "B-1", "B-2", "C-0", "C-1"]
    ws.restore(replaced.import_id, ADMIN)
    pd.testing.assert_frame_equal(ws.read("operations"), first)
    modes = [r["mode"] for r in history_records(ws.history())]
    assert modes == ["restauration", "restauration", "restauration", "ajout", "remplacement",
                     "remplacement"]


def test_restoring_an_empty_state_needs_the_same_explicit_request(ws):
    """The first import's previous state is the empty table: putting it back is a wipe."""
    first_import = int(ws.history()["id"].iloc[-1])
    before = fingerprint(ws)
    with pytest.raises(WipeRefusedError):
        ws.restore(first_import, ADMIN)
    assert fingerprint(ws) == before
    ws.restore(first_import, ADMIN, allow_empty=True)
    assert ws.count("operations") == 0


def test_restore_refusals_write_nothing(ws):
    ws.save_user(ADMIN, DELEGUE_METRO)
    import_id = int(ws.history()["id"].iloc[-1])
    users_entry = int(ws.history()["id"].iloc[0])
    before = fingerprint(ws)
    with pytest.raises(UnknownImportError, match="aucun import n° 999"):
        ws.restore(999, ADMIN)
    with pytest.raises(RestoreImpossibleError, match="pas un import de données"):
        ws.restore(users_entry, ADMIN)
    for acteur in (DELEGUE_METRO, Acteur("l@isere.fr", LECTEUR), Acteur("c@isere.fr", COMITE)):
        with pytest.raises(PermissionRefusee, match="ne peut pas modifier « operations »"):
            ws.restore(import_id, acteur, allow_empty=True)
    assert fingerprint(ws) == before


def test_delegue_restores_only_their_scope(tmp_path, isere):
    """A délégué's restore puts back the declarations of their EPCI and communes; the
    official figures and the other EPCI's rows stay as they are now, including those
    written after the restored import."""
    ws = open_workspace(tmp_path / "ws")
    base = realisations(("epci", METRO, 2023, 10), ("commune", GRENOBLE, 2023, 4),
                        ("epci", GRESIVAUDAN, 2023, 7))
    assert import_file("realisations", base, "base.csv", ws, isere, acteur=ADMIN).imported
    mine = import_file("realisations", realisations(("epci", METRO, 2024, 99)), "metro.csv",
                       ws, isere, acteur=DELEGUE_METRO)
    assert mine.imported
    later = realisations(("epci", GRESIVAUDAN, 2024, 8))
    assert import_file("realisations", later, "gre.csv", ws, isere, mode="append",
                       acteur=ADMIN).imported
    # A délégué's rows are their declarations: the official figures of their EPCI stay.
    done = ws.restore(mine.import_id, DELEGUE_METRO, allow_empty=True)
    assert (done.rows_before, done.rows_after) == (1, 0)
    frame = ws.read("realisations")
    assert sorted(zip(frame["territoire_code"], frame["annee"], frame["valeur"],
                      strict=True)) == [
        (GRESIVAUDAN, 2023, 7.0), (GRESIVAUDAN, 2024, 8.0), (METRO, 2023, 10.0),
        (GRENOBLE, 2023, 4.0)]
    assert ws.history()["role"].iloc[0] == DELEGUE_EPCI
    ws.close()


def test_retention_drops_the_oldest_versions_of_each_kind(ws, isere, monkeypatch):
    monkeypatch.setenv("TERRITOIRES_VERSIONS_KEPT", "3")
    pop = (CORPUS / "pop_ok.csv").read_bytes()
    assert import_file("populations", pop, "pop.csv", ws, isere, acteur=ADMIN).imported
    ids = [import_file("operations", operations(f"V{n}", n + 1), f"v{n}.csv", ws, isere,
                       acteur=ADMIN).import_id for n in range(5)]
    history = ws.history().set_index("id")
    kept = history.loc[history["kind"] == "operations", "lignes_avant"].dropna()
    assert sorted(kept.index) == ids[-3:]
    assert kept.loc[ids[-1]] == 4  # V3 had 4 rows before V4 replaced them
    assert history.loc[history["kind"] == "populations", "lignes_avant"].notna().sum() == 1
    with ws.engine.connect() as conn:
        stored = METADATA.tables[versions_table("operations")]
        left = {i for (i,) in conn.execute(stored.select().with_only_columns(stored.c.import_id))}
    assert left == set(ids[-3:])
    with pytest.raises(RestoreImpossibleError, match="n'est plus conservé"):
        ws.restore(ids[0], ADMIN)
    ws.restore(ids[-3], ADMIN)  # the oldest kept: the state before V2, that is V1
    assert ws.read("operations")["id_operation"].tolist() == ["V1-0", "V1-1"]


def test_no_version_kept_when_retention_is_zero_and_bad_setting(ws, isere, monkeypatch):
    monkeypatch.setenv("TERRITOIRES_VERSIONS_KEPT", "0")
    report = import_file("operations", operations("Z", 2), "z.csv", ws, isere, acteur=ADMIN)
    assert report.imported
    assert ws.history()["lignes_avant"].isna().all()  # the old versions went too
    with pytest.raises(RestoreImpossibleError):
        ws.restore(report.import_id, ADMIN)
    monkeypatch.setenv("TERRITOIRES_VERSIONS_KEPT", "vingt")
    with pytest.raises(WorkspaceError, match="TERRITOIRES_VERSIONS_KEPT : « vingt »"):
        import_file("operations", operations("Y", 2), "y.csv", ws, isere, acteur=ADMIN)
    assert ws.read("operations")["id_operation"].tolist() == ["Z-0", "Z-1"]


def test_delegue_with_an_unknown_epci_is_refused(ws):
    before = fingerprint(ws)
    with pytest.raises(UnknownEpciError, match="l'EPCI 200099999 n'existe pas dans le "
                                               "référentiel du département 38"):
        ws.save_user(ADMIN, Acteur("x@y.fr", DELEGUE_EPCI, "X", "200099999"))
    assert fingerprint(ws) == before
    ws.save_user(ADMIN, DELEGUE_METRO)  # an EPCI of Isère is accepted
    assert ws.user("delegue@metro.fr") == DELEGUE_METRO


@pytest.mark.parametrize("mode", ["delete", "wal"])
def test_readers_do_not_wait_for_a_writer_in_wal_mode(tmp_path, isere, backend, mode):
    """During an import, a reader that does not wait at all (timeout 0) reads the last
    committed table in WAL mode; with the rollback journal (``delete``, the former mode)
    the writer's spilled cache locks it out. Counted, not timed."""
    if backend != "sqlite":
        pytest.skip("mode de journal propre à SQLite")
    ws = open_workspace(tmp_path / "ws")
    ws.journal_mode = mode
    assert import_file("operations", operations("A", 10), "a.csv", ws, isere,
                       acteur=ADMIN).imported
    with sqlite3.connect(ws.database_path) as check:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == mode
    seen: list[int | str] = []

    def read_during_write(_done: int, _total: int) -> None:
        reader = sqlite3.connect(ws.database_path, timeout=0)
        try:
            seen.append(reader.execute("SELECT count(*) FROM operations").fetchone()[0])
        except sqlite3.OperationalError as exc:  # database is locked
            seen.append(str(exc))
        finally:
            reader.close()

    assert import_file("operations", operations("B", 60_000), "b.csv", ws, isere,
                       acteur=ADMIN, progress=read_during_write).imported
    ws.close()
    assert len(seen) == 30
    if mode == "wal":
        assert seen == [10] * 30
    else:
        assert "database is locked" in seen


@pytest.mark.parametrize("operation", ["import", "restore"])
def test_a_failure_at_the_end_leaves_table_versions_and_log_as_they_were(ws, isere, monkeypatch,
                                                                        operation):
    """The version, the table and the log entry are one transaction: a failure after the
    table was changed (here in the retention step, the last one) undoes all three."""
    from dashboard.store import workspace as workspace_module

    replaced = import_file("operations", operations("B", 3), "b.csv", ws, isere, acteur=ADMIN)
    rows, log = ws.read("operations"), ws.history()
    before = fingerprint(ws)

    def fail(*_args) -> None:
        raise RuntimeError("panne simulée")

    def write() -> None:
        if operation == "import":
            import_file("operations", operations("C", 5), "c.csv", ws, isere, acteur=ADMIN)
        else:
            ws.restore(replaced.import_id, ADMIN)

    monkeypatch.setattr(workspace_module, "_prune_versions", fail)
    with pytest.raises(RuntimeError, match="panne simulée"):
        write()
    assert fingerprint(ws) == before
    pd.testing.assert_frame_equal(ws.read("operations"), rows)
    pd.testing.assert_frame_equal(ws.history(), log)
