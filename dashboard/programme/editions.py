"""Frozen editions read back: two years compared, and the end-of-plan evaluation.

An edition is the JSON stored by :func:`dashboard.exports.bilan.freeze_edition`; these
functions read only that JSON (and, for the evaluation, the current figures), so that a
comparison of two bilans shows what was frozen, whatever was imported since.

* **What moved, per territory**: for every indicator and territory of the plan period,
  the realised and the status of each edition, the realised of each edition's own year,
  and whether the status or the realised changed.
* **What moved, per action**: status, progress and late milestones of each edition.
* **End-of-plan evaluation**: each objective and each action, planned against done over
  the whole period; where they differ (objective not reached, action not realised, or
  milestones missed), why — the comments recorded about it and the statuses frozen in
  each annual edition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboard.programme.actions import ProgrammeReport

TERRITORY_KEYS = ["indicateur", "territoire_type", "territoire_code"]
TERRITORY_COLUMNS = [
    "indicateur", "libelle", "territoire_type", "territoire_code", "territoire_nom", "periode",
    "objectif", "realise_a", "realise_b", "evolution", "realise_annee_a", "realise_annee_b",
    "taux_a", "taux_b", "statut_a", "statut_b", "a_bouge",
]  # fmt: skip
ACTION_COLUMNS = [
    "code", "axe", "intitule", "statut_a", "statut_b", "avancement_a", "avancement_b",
    "jalons_en_retard_a", "jalons_en_retard_b", "a_bouge",
]  # fmt: skip
OBJECTIVE_EVALUATION_COLUMNS = [
    "indicateur", "libelle", "territoire_type", "territoire_code", "territoire_nom", "periode",
    "objectif", "realise", "taux", "ecart", "statut", "atteint", "statuts_enregistres",
    "commentaires",
]  # fmt: skip
ACTION_EVALUATION_COLUMNS = [
    "code", "axe", "intitule", "pilote", "date_fin", "statut_libelle", "avancement",
    "nb_jalons", "jalons_realises", "jalons_en_retard", "atteint", "ecart",
    "statuts_enregistres", "commentaires",
]  # fmt: skip


@dataclass
class EditionComparison:
    """Two editions side by side (``a`` the earlier)."""

    annee_a: int
    annee_b: int
    territories: pd.DataFrame
    actions: pd.DataFrame

    @property
    def moved(self) -> pd.DataFrame:
        """Territory rows whose realised or status changed."""
        return self.territories[self.territories["a_bouge"]].reset_index(drop=True)


def _period_rows(edition: Mapping[str, Any]) -> pd.DataFrame:
    ind = pd.DataFrame(edition.get("indicators", []))
    if ind.empty:
        return pd.DataFrame(columns=[*TERRITORY_KEYS, "periode", "libelle", "territoire_nom",
                                     "objectif", "realise", "taux", "statut"])  # fmt: skip
    annual = ind["objectif_annualise"].fillna(False).astype(bool)
    return ind[ind["periode"].astype(str).str.contains("-") & ~annual]


def _year_rows(edition: Mapping[str, Any]) -> pd.DataFrame:
    ind = pd.DataFrame(edition.get("indicators", []))
    if ind.empty:
        return pd.DataFrame(columns=[*TERRITORY_KEYS, "realise"])
    return ind[ind["periode"].astype(str) == str(edition["annee"])]


def compare_editions(a: Mapping[str, Any], b: Mapping[str, Any]) -> EditionComparison:
    """What moved between two editions, per territory and per action (``a`` before ``b``)."""
    if a["annee"] > b["annee"]:
        a, b = b, a
    keep = [*TERRITORY_KEYS, "periode", "libelle", "territoire_nom", "objectif", "realise",
            "taux", "statut"]  # fmt: skip
    pa = _period_rows(a)[keep]
    pb = _period_rows(b)[keep]
    merged = pa.merge(pb, on=[*TERRITORY_KEYS, "periode"], how="outer", suffixes=("_a", "_b"))
    for col in ("libelle", "territoire_nom", "objectif"):
        merged[col] = merged[f"{col}_b"].combine_first(merged[f"{col}_a"])
    merged["evolution"] = merged["realise_b"].fillna(0) - merged["realise_a"].fillna(0)
    for suffix, edition in (("a", a), ("b", b)):
        year = _year_rows(edition)[[*TERRITORY_KEYS, "realise"]]
        year = year.rename(columns={"realise": f"realise_annee_{suffix}"})
        merged = merged.merge(year, on=TERRITORY_KEYS, how="left")
    merged["a_bouge"] = (merged["evolution"].abs() > 1e-9) | (
        merged["statut_a"].fillna("") != merged["statut_b"].fillna(""))
    order = {"departement": 0, "instance": 1, "epci": 2, "commune": 3}
    merged = merged.assign(_o=merged["territoire_type"].map(order)).sort_values(
        ["indicateur", "_o", "territoire_nom"], kind="stable")
    territories = merged[TERRITORY_COLUMNS].reset_index(drop=True)

    def actions_of(edition: Mapping[str, Any]) -> pd.DataFrame:
        rows = [{"code": x["code"], "axe": x["axe"], "intitule": x["intitule"],
                 "statut": x.get("statut_libelle") or x["statut"],
                 "avancement": x["avancement"],
                 "jalons_en_retard": len(x["jalons_en_retard"])}
                for x in edition.get("actions", [])]  # fmt: skip
        return pd.DataFrame(rows, columns=["code", "axe", "intitule", "statut", "avancement",
                                           "jalons_en_retard"])  # fmt: skip

    acts = actions_of(a).merge(actions_of(b), on="code", how="outer", suffixes=("_a", "_b"))
    for col in ("axe", "intitule"):
        acts[col] = acts[f"{col}_b"].combine_first(acts[f"{col}_a"])
    acts["a_bouge"] = (
        (acts["statut_a"].fillna("") != acts["statut_b"].fillna(""))
        | (acts["avancement_a"].fillna(-1) != acts["avancement_b"].fillna(-1))
        | (acts["jalons_en_retard_a"].fillna(-1) != acts["jalons_en_retard_b"].fillna(-1))
    )  # fmt: skip
    return EditionComparison(int(a["annee"]), int(b["annee"]), territories,
                             acts[ACTION_COLUMNS].reset_index(drop=True))  # fmt: skip


def _recorded(editions: Iterable[Mapping[str, Any]], pick) -> dict:
    """Key → « 2023 : en retard ; 2024 : très en retard » from the frozen editions."""
    out: dict = {}
    for edition in sorted(editions, key=lambda e: e["annee"]):
        for key, value in pick(edition):
            out.setdefault(key, []).append(f"{edition['annee']} : {value}")
    return {k: " ; ".join(v) for k, v in out.items()}


def evaluation(
    indicators: pd.DataFrame,
    programme: ProgrammeReport,
    comments: pd.DataFrame,
    editions: Iterable[Mapping[str, Any]] = (),
    levels: tuple[str, ...] = ("departement", "instance", "epci"),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The end-of-plan evaluation: objectives, then actions (see the module docstring).

    Parameters
    ----------
    indicators : DataFrame
        The indicator rows of the payload at the evaluation date.
    programme : ProgrammeReport
        The programme at that date.
    comments : DataFrame
        Official and validated comments (:func:`dashboard.programme.loop.comments_frame`).
    editions : iterable of dict
        The frozen editions (their JSON), for the statuses recorded year after year.
    """
    editions = list(editions)
    ind = indicators[indicators["territoire_type"].isin(levels)]
    ind = ind[ind["periode"].astype(str).str.contains("-")
              & ~ind["objectif_annualise"].fillna(False).astype(bool)
              & (ind["objectif"].fillna(0) > 0)].copy()  # fmt: skip
    ind["ecart"] = ind["realise"].fillna(0) - ind["objectif"]
    ind["atteint"] = ind["taux"].fillna(0) >= 1.0
    recorded = _recorded(editions, lambda e: [
        ((r["indicateur"], r["territoire_type"], r["territoire_code"], r["periode"]), r["statut"])
        for r in _period_rows(e).to_dict("records")])  # fmt: skip
    ind["statuts_enregistres"] = [
        recorded.get((r.indicateur, r.territoire_type, r.territoire_code, r.periode), "")
        for r in ind.itertuples()
    ]  # fmt: skip
    said = {}
    for row in comments.itertuples():
        said.setdefault((row.territoire_type, str(row.territoire_code)), []).append(
            f"{row.date:%d/%m/%Y} ({row.auteur or 'auteur inconnu'}) : {row.texte}")
    ind["commentaires"] = [
        " | ".join(said.get((r.territoire_type, str(r.territoire_code)), []))
        if not r.atteint else "" for r in ind.itertuples()
    ]  # fmt: skip
    objectives = ind[OBJECTIVE_EVALUATION_COLUMNS].reset_index(drop=True)

    acts = programme.actions.copy()
    acts["atteint"] = acts["statut"].eq("realisee") & acts["jalons_en_retard"].eq(0)
    missed = acts["nb_jalons"] - acts["jalons_realises"]
    acts["ecart"] = [
        "" if ok else ", ".join(p for p in (
            f"statut « {s} »" if s != "réalisée" else "",
            f"{m} jalon(s) non réalisé(s)" if m else "",
            f"{late} en retard" if late else "") if p)
        for ok, s, m, late in zip(acts["atteint"], acts["statut_libelle"], missed,
                                  acts["jalons_en_retard"], strict=True)
    ]  # fmt: skip
    recorded_actions = _recorded(editions, lambda e: [
        (x["code"], x.get("statut_libelle") or x["statut"]) for x in e.get("actions", [])])
    acts["statuts_enregistres"] = [recorded_actions.get(c, "") for c in acts["code"]]
    by_action = {}
    for row in comments.itertuples():
        if row.action:
            by_action.setdefault(str(row.action), []).append(
                f"{row.date:%d/%m/%Y} ({row.auteur or 'auteur inconnu'}) : {row.texte}")
    acts["commentaires"] = [" | ".join(by_action.get(c, [])) if not ok else ""
                            for c, ok in zip(acts["code"], acts["atteint"], strict=True)]
    actions = acts[ACTION_EVALUATION_COLUMNS].reset_index(drop=True)
    return objectives, actions

