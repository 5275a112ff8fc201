"""The délégués' loop: their declarations, what awaits the comité, who has not reported.

A délégué declares réalisations and comments for their EPCI (or its communes); each
entry is « déclaré » until the comité marks it « validé », or « à revoir » with a motif
(:mod:`dashboard.store.reviews`). The loader keeps the declarations apart
(:func:`dashboard.intake.loader.split_declarations`): only validated ones count.

* A declared réalisation is **replaced** by a later declaration of the same territory,
  indicator and year (a correction): it leaves the comité's list.
* An EPCI **has reported** for a year when it declared a réalisation of that year or a
  comment dated in that year (for the EPCI or one of its communes).
* Comments are placed like everything else: a comment on a territory concerns every
  territory sharing a commune with it.
"""

from __future__ import annotations

import pandas as pd

from dashboard.formatting import fr_number
from dashboard.indicators.facts import LEVEL_LABELS
from dashboard.store.schemas import (
    INDICATORS,
    LABELS,
    STATUT_A_REVOIR,
    STATUT_DECLARE,
    STATUT_VALIDE,
    is_blank,
)
from geo.reference import Reference

VALIDATION_LABELS = LABELS["statut_validation"]
COMMENT_COLUMNS = [
    "territoire_type", "territoire_code", "territoire_nom", "date", "texte", "auteur", "action",
    "statut_validation", "statut_libelle", "motif_revue",
]  # fmt: skip
DECLARATION_COLUMNS = [
    "id", "kind", "territoire_type", "territoire_code", "territoire_nom", "epci_siren",
    "annee", "indicateur", "libelle", "valeur", "date", "texte", "action", "auteur",
    "statut_validation", "statut_libelle", "motif_revue", "remplacee", "objet",
]  # fmt: skip
REPORTING_COLUMNS = [
    "epci_siren", "epci_nom", "a_declare", "nb_realisations", "nb_commentaires", "en_attente",
    "a_revoir", "valides",
]  # fmt: skip


def _text(value: object) -> str | None:
    return None if is_blank(value) else str(value)


def _texts(values, index: pd.Index) -> pd.Series:
    """Optional texts as an object column holding None for blanks (never NaN, which reads
    as true and prints « nan »)."""
    return pd.Series([_text(v) for v in values], index=index, dtype=object)


def _names(tmap: pd.DataFrame) -> pd.DataFrame:
    return tmap[["territoire_type", "territoire_code", "territoire_nom"]].drop_duplicates()


def comments_frame(commentaires: pd.DataFrame | None, tmap: pd.DataFrame) -> pd.DataFrame:
    """Comments with their territory's name and review label, most recent first."""
    if commentaires is None or commentaires.empty:
        return pd.DataFrame(columns=COMMENT_COLUMNS)
    frame = commentaires.copy()
    for col in ("auteur", "action", "statut_validation", "motif_revue"):
        values = frame[col] if col in frame else [None] * len(frame)
        frame[col] = _texts(values, frame.index)
    frame["territoire_code"] = frame["territoire_code"].astype(str)
    frame = frame.merge(_names(tmap), on=["territoire_type", "territoire_code"], how="left")
    frame["territoire_nom"] = frame["territoire_nom"].fillna(frame["territoire_code"])
    frame["statut_libelle"] = frame["statut_validation"].map(VALIDATION_LABELS).fillna("")
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    frame = frame.sort_values("date", ascending=False, kind="stable")
    return frame[COMMENT_COLUMNS].reset_index(drop=True)


def comments_about(comments: pd.DataFrame, communes: set[str] | tuple[str, ...],
                   tmap: pd.DataFrame) -> pd.DataFrame:
    """Comments on a territory that shares a commune with ``communes`` (not the
    département-wide ones)."""
    if comments.empty:
        return comments
    members = tmap[tmap["code_insee"].isin(set(communes))
                   & (tmap["territoire_type"] != "departement")]  # fmt: skip
    keys = set(zip(members["territoire_type"], members["territoire_code"], strict=True))
    mine = [(t, c) in keys for t, c in zip(comments["territoire_type"],
                                           comments["territoire_code"], strict=True)]  # fmt: skip
    return comments[mine].reset_index(drop=True)


def _epci_of(frame: pd.DataFrame, reference: Reference) -> list[str | None]:
    communes = dict(zip(reference.communes["code_insee"], reference.communes["epci_siren"],
                        strict=True))  # fmt: skip
    out = []
    for typ, code in zip(frame["territoire_type"], frame["territoire_code"], strict=True):
        code = str(code)
        out.append(code if typ == "epci" else communes.get(code) if typ == "commune" else None)
    return out


def declarations_frame(
    declarations: dict[str, pd.DataFrame], reference: Reference, tmap: pd.DataFrame
) -> pd.DataFrame:
    """Every declaration (réalisations then comments) in one frame: :data:`DECLARATION_COLUMNS`.

    ``declarations`` maps ``realisations`` and ``commentaires`` to their rows with a review
    state (from the loader, or read with their ``id`` for the comité's decisions).
    """
    parts = []
    real = declarations.get("realisations")
    if real is not None and not real.empty:
        frame = real.copy()
        frame["kind"] = "realisations"
        frame["annee"] = pd.to_numeric(frame["annee"], errors="coerce").astype("Int64")
        key = frame[["territoire_type", "territoire_code", "indicateur", "annee"]].astype(str)
        frame["remplacee"] = key.duplicated(keep="last").to_numpy()
        frame["libelle"] = [INDICATORS[c].label if c in INDICATORS else c
                            for c in frame["indicateur"]]  # fmt: skip
        parts.append(frame)
    com = declarations.get("commentaires")
    if com is not None and not com.empty:
        frame = com.copy()
        frame["kind"] = "commentaires"
        frame["annee"] = pd.to_datetime(frame["date"]).dt.year.astype("Int64")
        frame["remplacee"] = False
        parts.append(frame)
    if not parts:
        return pd.DataFrame(columns=DECLARATION_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    for col in DECLARATION_COLUMNS:
        if col not in out:
            out[col] = None
    for col in ("auteur", "action", "texte", "motif_revue", "source", "statut_validation"):
        if col in out:
            out[col] = _texts(out[col], out.index)
    out["territoire_code"] = out["territoire_code"].astype(str)
    out = out.drop(columns="territoire_nom").merge(
        _names(tmap), on=["territoire_type", "territoire_code"], how="left")
    out["territoire_nom"] = out["territoire_nom"].fillna(out["territoire_code"])
    out["epci_siren"] = _epci_of(out, reference)
    out["statut_libelle"] = out["statut_validation"].map(VALIDATION_LABELS).fillna("")
    out["date"] = pd.to_datetime(out["date"]).dt.date
    out["objet"] = [_objet(r) for r in out.itertuples()]
    return out[DECLARATION_COLUMNS]


def _objet(row) -> str:
    """« Grenoble-Alpes-Métropole — Ménages reconnus DALO relogés 2024 : 120 »."""
    where = f"{row.territoire_nom} ({LEVEL_LABELS.get(row.territoire_type, row.territoire_type)})"
    if row.kind == "realisations":
        value = fr_number(row.valeur, 0 if float(row.valeur).is_integer() else 1)
        return f"{where} — {row.libelle} {row.annee} : {value}"
    action = f" [action {row.action}]" if row.action else ""
    return f"{where} — commentaire du {row.date:%d/%m/%Y}{action} : {row.texte}"


def awaiting(declarations: pd.DataFrame, statut: str = STATUT_DECLARE) -> pd.DataFrame:
    """Declarations in state ``statut`` (default: awaiting the comité), replaced ones left
    out."""
    rows = declarations[(declarations["statut_validation"] == statut)
                        & ~declarations["remplacee"].astype(bool)]  # fmt: skip
    return rows.reset_index(drop=True)


def reporting(declarations: pd.DataFrame, reference: Reference, annee: int) -> pd.DataFrame:
    """Per EPCI of the département, whether it reported for ``annee``
    (:data:`REPORTING_COLUMNS`), those that did not first."""
    epci = reference.epci[["siren", "nom"]].rename(columns={"siren": "epci_siren",
                                                            "nom": "epci_nom"})  # fmt: skip
    year = declarations[(declarations["annee"] == annee) & declarations["epci_siren"].notna()]
    current = year[~year["remplacee"].astype(bool)]
    counts = pd.DataFrame({
        "nb_realisations": year[year["kind"] == "realisations"].groupby("epci_siren").size(),
        "nb_commentaires": year[year["kind"] == "commentaires"].groupby("epci_siren").size(),
        "en_attente": current[current["statut_validation"] == STATUT_DECLARE]
        .groupby("epci_siren").size(),
        "a_revoir": current[current["statut_validation"] == STATUT_A_REVOIR]
        .groupby("epci_siren").size(),
        "valides": current[current["statut_validation"] == STATUT_VALIDE]
        .groupby("epci_siren").size(),
    })  # fmt: skip
    out = epci.merge(counts, left_on="epci_siren", right_index=True, how="left")
    for col in ("nb_realisations", "nb_commentaires", "en_attente", "a_revoir", "valides"):
        out[col] = out[col].fillna(0).astype(int)
    out["a_declare"] = (out["nb_realisations"] + out["nb_commentaires"]) > 0
    out = out.sort_values(["a_declare", "epci_nom"], kind="stable")
    return out[REPORTING_COLUMNS].reset_index(drop=True)
