"""The action programme at a reference date: statuses, milestones, linked indicators.

* **Milestone state** at the reference date ``today``: « réalisé » (on time or late)
  when its ``date_realisee`` is on or before ``today``; otherwise « en retard » when its
  ``date_prevue`` is before ``today``, else « à venir ». An abandoned action's milestones
  are « sans objet ».
* **Progress** (``avancement``): the share of its milestones reached at ``today`` (None
  for an action without milestones).
* **Late action**: a late milestone, or its end date passed while it is neither
  « réalisée » nor « abandonnée ».
* **Linked indicators**: for every indicator of the action and every territory it names
  (the département when it names none), the plan-period row of the indicator payload
  (:func:`dashboard.indicators.payload.compute_all`) — the same objective, realised,
  rate and status as the Objectifs page.
* **Territories** are sets of communes (the commune is the atom): an action touches a
  fiche's territory when they share a commune.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.indicators.facts import LEVEL_LABELS
from dashboard.store.schemas import INDICATORS, LABELS, is_blank, split_list

ACTION_STATUT_LABELS = LABELS["statut_action"]
#: Statuses of an action that is over: its end date passing is no delay.
CLOSED_STATUTS = ("realisee", "abandonnee")
ETAT_REALISE = "réalisé"
ETAT_REALISE_EN_RETARD = "réalisé en retard"
ETAT_EN_RETARD = "en retard"
ETAT_A_VENIR = "à venir"
ETAT_SANS_OBJET = "sans objet"
DEFINITION_AVANCEMENT = (
    "Avancement : part des jalons réalisés à la date de référence. Un jalon est en retard "
    "quand sa date prévue est passée sans qu'il soit réalisé ; une action est en retard quand "
    "un de ses jalons l'est, ou que son échéance est passée sans qu'elle soit réalisée ou "
    "abandonnée."
)
WHOLE_DEPARTEMENT = "tout le département"

ACTION_COLUMNS = [
    "code", "axe", "intitule", "pilote", "partenaires", "budget", "etp", "date_debut",
    "date_fin", "statut", "statut_libelle", "nb_jalons", "jalons_realises", "jalons_en_retard",
    "avancement", "echeance_depassee", "en_retard", "indicateurs", "territoires",
    "territoires_libelle", "departemental",
]  # fmt: skip
JALON_COLUMNS = ["action", "libelle", "date_prevue", "date_realisee", "etat", "jours_de_retard"]
LINK_COLUMNS = [
    "action", "indicateur", "libelle", "unite", "territoire_type", "territoire_code",
    "territoire_nom", "periode", "objectif", "realise", "taux", "attendu_a_date", "statut",
    "source",
]  # fmt: skip
#: Keys of an action in ``territoires actions --json`` (docs/ARCHITECTURE.md), in order.
ACTION_KEYS = [
    "code", "axe", "intitule", "pilote", "statut", "avancement", "jalons_en_retard",
    "indicateurs",
]  # fmt: skip


def natural_key(code: object) -> tuple:
    """Sort key of an action code: « 1.2 » before « 1.10 », « 2 » after « 1.10 »."""
    parts = re.split(r"(\d+)", str(code))
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p)


def _date(value: object) -> dt.date | None:
    if value is None or is_blank(value) or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


@dataclass
class ProgrammeReport:
    """The programme at a reference date.

    Attributes
    ----------
    today : date
        Reference date of the milestones and indicators.
    actions : DataFrame
        :data:`ACTION_COLUMNS`, one row per action, by code; ``indicateurs`` and
        ``territoires`` hold lists (``["plai"]``, ``["epci:200040715"]``).
    jalons : DataFrame
        :data:`JALON_COLUMNS`, by action and planned date.
    links : DataFrame
        :data:`LINK_COLUMNS`: the progress of each linked (indicator, territory).
    communes : DataFrame
        ``action``, ``code_insee``: the communes of the actions that name territories.
    source : str
        Where the programme comes from (« données de démonstration » when relevant).
    """

    today: dt.date
    actions: pd.DataFrame
    jalons: pd.DataFrame
    links: pd.DataFrame
    communes: pd.DataFrame
    source: str

    @property
    def axes(self) -> list[str]:
        """Axes in the order of their first action."""
        return list(dict.fromkeys(self.actions["axe"].astype(str)))

    def late_actions(self) -> pd.DataFrame:
        """Actions late at the reference date."""
        return self.actions[self.actions["en_retard"]].reset_index(drop=True)

    def late_milestones(self) -> pd.DataFrame:
        """Milestones late at the reference date, most overdue first."""
        late = self.jalons[self.jalons["etat"] == ETAT_EN_RETARD]
        return late.sort_values("jours_de_retard", ascending=False, ignore_index=True)

    def action(self, code: str) -> pd.Series | None:
        """The row of action ``code``, None if unknown."""
        rows = self.actions[self.actions["code"] == str(code)]
        return rows.iloc[0] if len(rows) else None

    def touching(self, communes: Iterable[str]) -> pd.DataFrame:
        """Actions naming a territory that shares a commune with ``communes``."""
        codes = set(self.communes.loc[self.communes["code_insee"].isin(set(communes)), "action"])
        return self.actions[self.actions["code"].isin(codes)].reset_index(drop=True)

    def filtered(
        self,
        axe: str | None = None,
        pilote: str | None = None,
        communes: Iterable[str] | None = None,
        departemental: bool = True,
    ) -> pd.DataFrame:
        """Actions of an axe, of a pilot, touching some communes (with or without the
        département-wide ones)."""
        rows = self.actions
        if axe:
            rows = rows[rows["axe"] == axe]
        if pilote:
            rows = rows[rows["pilote"] == pilote]
        if communes is not None:
            near = set(self.touching(communes)["code"])
            rows = rows[rows["code"].isin(near) | (rows["departemental"] & departemental)]
        return rows.reset_index(drop=True)

    def records(self) -> list[dict]:
        """The actions of ``territoires actions --json``: :data:`ACTION_KEYS` first."""
        out = []
        for row in self.actions.itertuples(index=False):
            jalons = self.jalons[self.jalons["action"] == row.code]
            links = self.links[self.links["action"] == row.code]
            record = {
                "code": row.code, "axe": row.axe, "intitule": row.intitule,
                "pilote": row.pilote, "statut": row.statut,
                "avancement": _json(row.avancement),
                "jalons_en_retard": _records(
                    jalons[jalons["etat"] == ETAT_EN_RETARD].drop(columns="action")),
                "indicateurs": _records(links.drop(columns="action")),
                "statut_libelle": row.statut_libelle, "en_retard": bool(row.en_retard),
                "echeance_depassee": bool(row.echeance_depassee),
                "partenaires": _json(row.partenaires), "budget": _json(row.budget),
                "etp": _json(row.etp), "date_debut": _json(row.date_debut),
                "date_fin": _json(row.date_fin), "territoires": list(row.territoires),
                "territoires_libelle": row.territoires_libelle,
                "jalons": _records(jalons.drop(columns="action")),
            }  # fmt: skip
            out.append(record)
        return out


def _json(value: object) -> object:
    """A JSON-ready scalar: None for blanks, ISO dates, Python numbers."""
    if value is None or is_blank(value):
        return None
    if isinstance(value, pd.Timestamp | dt.date):
        return pd.Timestamp(value).date().isoformat()
    if isinstance(value, float | np.floating) and np.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: _json(v) for k, v in row.items()} for row in frame.to_dict("records")]


def jalon_states(jalons: pd.DataFrame, actions: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """Milestones with their state at ``today`` (:data:`JALON_COLUMNS`)."""
    if jalons is None or jalons.empty:
        return pd.DataFrame(columns=JALON_COLUMNS)
    out = jalons[["action", "libelle", "date_prevue", "date_realisee"]].copy()
    out["action"] = out["action"].astype(str).str.strip()
    prevue = pd.to_datetime(out["date_prevue"])
    realisee = pd.to_datetime(out["date_realisee"])
    stamp = pd.Timestamp(today)
    done = realisee.notna() & (realisee <= stamp)
    abandoned = set(actions.loc[actions["statut"] == "abandonnee", "code"].astype(str))
    out["etat"] = np.select(
        [out["action"].isin(abandoned) & ~done, done & (realisee <= prevue), done,
         prevue < stamp],
        [ETAT_SANS_OBJET, ETAT_REALISE, ETAT_REALISE_EN_RETARD, ETAT_EN_RETARD],
        default=ETAT_A_VENIR,
    )  # fmt: skip
    late = (out["etat"] == ETAT_EN_RETARD).to_numpy()
    days = (stamp - prevue).dt.days.to_numpy()
    out["jours_de_retard"] = pd.Series(
        [int(d) if is_late else None for d, is_late in zip(days, late, strict=True)],
        index=out.index, dtype=object,
    )
    out["date_prevue"] = prevue.dt.date
    out["date_realisee"] = realisee.dt.date.where(realisee.notna(), None)
    order = out["action"].map(natural_key)
    out = out.assign(_k=order).sort_values(["_k", "date_prevue"], kind="stable")
    return out.drop(columns="_k").reset_index(drop=True)[JALON_COLUMNS]


def _territories(actions: pd.DataFrame) -> dict[str, list[tuple[str, str]]]:
    """Action code → (type, code) of the territories it names; [] for the whole département."""
    out = {}
    for code, text in zip(actions["code"], actions["territoires"], strict=True):
        items = []
        for item in split_list(text):
            typ, _, value = item.partition(":")
            if typ != "departement":
                items.append((typ, value))
        out[str(code)] = items
    return out


def _links(
    actions: pd.DataFrame,
    territories: dict[str, list[tuple[str, str]]],
    indicators: pd.DataFrame,
    names: pd.DataFrame,
    departement: str,
) -> pd.DataFrame:
    """The plan-period row of every (action, indicator, territory) pair."""
    pairs = []
    for row in actions.itertuples(index=False):
        places = territories[row.code] or [("departement", departement)]
        start = _date(row.date_debut)
        end = _date(row.date_fin)
        for indicateur in row.indicateurs:
            for typ, code in places:
                pairs.append((row.code, indicateur, typ, code, start.year if start else None,
                              end.year if end else None))  # fmt: skip
    columns = ["action", "indicateur", "territoire_type", "territoire_code", "_debut", "_fin"]
    pairs_frame = pd.DataFrame(pairs, columns=columns)
    if pairs_frame.empty:
        return pd.DataFrame(columns=LINK_COLUMNS)
    ind = indicators
    if not ind.empty:
        annual = ind["objectif_annualise"].fillna(False).astype(bool)
        ind = ind[(ind["annee_fin"] > ind["annee_debut"]) & ~annual]
    keys = ["indicateur", "territoire_type", "territoire_code"]
    value_cols = ["territoire_nom", "periode", "annee_debut", "annee_fin", "objectif", "realise",
                  "taux", "attendu_a_date", "statut", "source"]  # fmt: skip
    joined = pairs_frame.reset_index().merge(
        ind[[*keys, *value_cols]] if not ind.empty else pd.DataFrame(columns=keys + value_cols),
        on=keys, how="left",
    )  # fmt: skip
    # Several plan periods: the one that overlaps the action most, then the latest.
    lo = np.maximum(joined["annee_debut"].astype(float), joined["_debut"].astype(float).fillna(0))
    hi = np.minimum(joined["annee_fin"].astype(float), joined["_fin"].astype(float).fillna(9999))
    joined["_overlap"] = (hi - lo).fillna(-1)
    joined = joined.sort_values(["index", "_overlap", "annee_fin"], ascending=[True, False, False])
    best = joined.drop_duplicates("index").sort_values("index")
    best = best.merge(names, on=["territoire_type", "territoire_code"], how="left",
                      suffixes=("", "_ref"))  # fmt: skip
    best["territoire_nom"] = best["territoire_nom"].fillna(best["territoire_nom_ref"])
    best["territoire_nom"] = best["territoire_nom"].fillna(best["territoire_code"])
    best["libelle"] = [INDICATORS[c].label if c in INDICATORS else c for c in best["indicateur"]]
    best["unite"] = [INDICATORS[c].unit if c in INDICATORS else "" for c in best["indicateur"]]
    best["statut"] = best["statut"].fillna("sans donnée")
    best["source"] = best["source"].fillna("aucun objectif ni réalisation importé")
    return best[LINK_COLUMNS].reset_index(drop=True)


def _territory_label(places: list[tuple[str, str]], names: dict[tuple[str, str], str]) -> str:
    if not places:
        return WHOLE_DEPARTEMENT
    return ", ".join(f"{names.get(p, p[1])} ({LEVEL_LABELS.get(p[0], p[0])})" for p in places)


def programme_report(
    tables: dict[str, pd.DataFrame],
    indicators: pd.DataFrame,
    tmap: pd.DataFrame,
    today: dt.date,
    departement: str,
    source: str,
) -> ProgrammeReport:
    """The programme at ``today``.

    Parameters
    ----------
    tables : dict of DataFrame
        The loader's tables (``actions``, ``jalons``; missing kinds are empty).
    indicators : DataFrame
        ``payload["indicators"]`` of :func:`dashboard.indicators.payload.compute_all` at
        the same date, as a frame.
    tmap : DataFrame
        :func:`dashboard.indicators.facts.territory_map` (territory → communes).
    today : date
        Reference date.
    departement : str
        Code of the département (the territory of an action that names none).
    source : str
        Label of where the tables come from.
    """
    raw = tables.get("actions")
    if raw is None or raw.empty:
        empty = pd.DataFrame(columns=ACTION_COLUMNS)
        return ProgrammeReport(today, empty, pd.DataFrame(columns=JALON_COLUMNS),
                               pd.DataFrame(columns=LINK_COLUMNS),
                               pd.DataFrame(columns=["action", "code_insee"]), source)  # fmt: skip
    actions = raw.copy()
    actions["code"] = actions["code"].astype(str).str.strip()
    actions = actions.assign(_k=actions["code"].map(natural_key))
    actions = actions.sort_values("_k", kind="stable").drop(columns="_k").reset_index(drop=True)
    jalons = jalon_states(tables.get("jalons"), actions, today)
    names_frame = tmap[["territoire_type", "territoire_code", "territoire_nom"]].drop_duplicates()
    names = {(t, c): n for t, c, n in names_frame.itertuples(index=False)}
    places = _territories(actions)

    counts = jalons.groupby("action")["etat"].agg(
        nb_jalons="size",
        jalons_realises=lambda s: int(s.isin([ETAT_REALISE, ETAT_REALISE_EN_RETARD]).sum()),
        jalons_en_retard=lambda s: int((s == ETAT_EN_RETARD).sum()),
    ) if not jalons.empty else pd.DataFrame(columns=["nb_jalons", "jalons_realises",
                                                     "jalons_en_retard"])  # fmt: skip
    for col in ("nb_jalons", "jalons_realises", "jalons_en_retard"):
        actions[col] = actions["code"].map(counts[col]).fillna(0).astype(int)
    actions["avancement"] = (actions["jalons_realises"] / actions["nb_jalons"]).where(
        actions["nb_jalons"] > 0
    )
    fin = pd.to_datetime(actions["date_fin"])
    actions["echeance_depassee"] = (
        (fin < pd.Timestamp(today)) & ~actions["statut"].isin(CLOSED_STATUTS)
    ).fillna(False).astype(bool)  # fmt: skip
    actions["en_retard"] = (actions["jalons_en_retard"] > 0) | actions["echeance_depassee"]
    actions["statut_libelle"] = actions["statut"].map(ACTION_STATUT_LABELS).fillna(
        actions["statut"]
    )
    actions["indicateurs"] = [split_list(v) for v in actions["indicateurs"]]
    actions["territoires"] = [[f"{t}:{c}" for t, c in places[code]] for code in actions["code"]]
    actions["territoires_libelle"] = [_territory_label(places[c], names) for c in actions["code"]]
    actions["departemental"] = [not places[c] for c in actions["code"]]
    for col in ("partenaires",):
        actions[col] = actions[col].where(~actions[col].map(is_blank), None)
    for col in ("date_debut", "date_fin"):
        stamps = pd.to_datetime(actions[col])
        actions[col] = stamps.dt.date.where(stamps.notna(), None)

    members = []
    for code, items in places.items():
        for typ, value in items:
            rows = tmap[(tmap["territoire_type"] == typ) & (tmap["territoire_code"] == value)]
            members.extend((code, c) for c in rows["code_insee"])
    communes = pd.DataFrame(members, columns=["action", "code_insee"]).drop_duplicates()
    links = _links(actions, places, indicators, names_frame, departement)
    return ProgrammeReport(today, actions[ACTION_COLUMNS], jalons, links,
                           communes.reset_index(drop=True), source)  # fmt: skip

