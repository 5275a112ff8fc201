"""Rule PLH_PDALHPD_OBJECTIVE: the PLH PLA-I target against the plan's territorialised one."""

from __future__ import annotations

import pandas as pd

from dashboard.coverage.inputs import CoverageInputs, records
from dashboard.coverage.model import ALERTE, INFO, Finding, Rule
from dashboard.coverage.plh import plh_name
from dashboard.formatting import fr_int, fr_number, fr_percent

INDICATEUR_PLAI = "plai"


def instances_equal_to_epci(inputs: CoverageInputs) -> dict[str, str]:
    """``instance_code → siren`` for instances whose communes are exactly those of one EPCI
    in the département."""
    mem = inputs.memberships
    if mem is None or mem.empty:
        return {}
    communes = inputs.reference.communes
    epci_of: dict[str, object] = {}
    size: dict[str, set[str]] = {}
    for code, siren in zip(communes["code_insee"].tolist(), communes["epci_siren"].tolist(),
                           strict=True):  # fmt: skip
        epci_of.setdefault(code, siren)
        if isinstance(siren, str):
            size.setdefault(siren, set()).add(code)
    # An instance is an EPCI when all its communes are of that EPCI, and all of them.
    members: dict[str, set[str]] = {}
    for instance, code in zip(mem["instance_code"].tolist(), mem["code_insee"].tolist(),
                              strict=True):  # fmt: skip
        members.setdefault(instance, set()).add(code)
    out = {}
    for instance in sorted(members):
        sirens = {epci_of.get(code) for code in members[instance]}
        if len(sirens) != 1:
            continue
        (siren,) = sirens
        if isinstance(siren, str) and siren and len(members[instance]) == len(size[siren]):
            out[str(instance)] = siren
    return out


def territorialised_plai(inputs: CoverageInputs) -> pd.DataFrame:
    """PDALHPD PLA-I objectives that apply to exactly one EPCI.

    Returns
    -------
    DataFrame
        ``siren``, ``via_instance`` (instance code or ""), ``annee_debut``, ``annee_fin``,
        ``valeur``, ``annuel`` (valeur divided by the number of years, bounds included).
    """
    obj = inputs.objectifs
    obj = obj[(obj["indicateur"] == INDICATEUR_PLAI) & obj["valeur"].notna()]
    obj = obj[obj["annee_debut"].notna()]
    sirens = set(inputs.reference.epci["siren"])
    via = instances_equal_to_epci(inputs)
    rows = []
    for o in records(obj):
        if o["territoire_type"] == "epci" and o["territoire_code"] in sirens:
            siren, instance = o["territoire_code"], ""
        elif o["territoire_type"] == "instance" and o["territoire_code"] in via:
            siren, instance = via[o["territoire_code"]], o["territoire_code"]
        else:
            continue
        debut = int(o["annee_debut"])
        fin = int(o["annee_fin"]) if pd.notna(o["annee_fin"]) else debut
        years = max(1, fin - debut + 1)
        rows.append(
            {
                "siren": siren,
                "via_instance": instance,
                "annee_debut": debut,
                "annee_fin": fin,
                "valeur": float(o["valeur"]),
                "annuel": float(o["valeur"]) / years,
            }
        )
    return pd.DataFrame(
        rows, columns=["siren", "via_instance", "annee_debut", "annee_fin", "valeur", "annuel"]
    )


def _plh_years(row: pd.Series) -> tuple[int, int] | None:
    if row["date_debut"] is None or row["date_fin"] is None:
        return None
    return row["date_debut"].year, row["date_fin"].year


def check_plh_objective(inputs: CoverageInputs) -> list[Finding]:
    """PLH_PDALHPD_OBJECTIVE: PLH whose annual PLA-I objective is below the PDALHPD annual
    objective of the same EPCI by more than the tolerance; info when the PLH states none.
    Expired PLH (statut ``echu``) are left out: they can no longer take the plan into account."""
    tolerance = inputs.tolerances.objectif_plai
    targets = territorialised_plai(inputs)
    epci = inputs.reference.epci.set_index("siren")
    findings = []
    for _, t in targets.iterrows():
        siren = t["siren"]
        nom = inputs.epci_nom(siren)
        scope = (
            f"l'instance {t['via_instance']}, qui recouvre exactement cet EPCI"
            if t["via_instance"]
            else "cet EPCI"
        )
        plan_text = (
            f"{fr_int(t['valeur'])} PLA-I sur {t['annee_debut']}-{t['annee_fin']}, soit "
            f"{fr_number(t['annuel'])} par an"
        )
        plhs = inputs.plh[inputs.plh["territoire_code"] == siren]
        # An expired PLH can no longer be brought into line with the plan.
        plhs = plhs[plhs["statut"] != "echu"]
        for _, plh in plhs.iterrows():
            span = _plh_years(plh)
            if span is None or span[1] < t["annee_debut"] or span[0] > t["annee_fin"]:
                continue
            name = plh_name(plh)
            details = {
                "plh": plh["intitule"],
                "plh_annees": list(span),
                "objectif_pdalhpd_annuel": round(t["annuel"], 2),
                "objectif_pdalhpd": t["valeur"],
                "annees_pdalhpd": [t["annee_debut"], t["annee_fin"]],
                "via_instance": t["via_instance"] or None,
                "tolerance": tolerance,
            }
            if pd.isna(plh["objectif_plai_annuel"]):
                findings.append(
                    PLH_PDALHPD_OBJECTIVE.finding(
                        "epci",
                        siren,
                        nom,
                        f"{name} ({nom}, {span[0]}-{span[1]}) : objectif annuel de PLA-I non "
                        f"renseigné, comparaison impossible avec l'objectif du PDALHPD pour "
                        f"{scope} ({plan_text}).",
                        details,
                        severity=INFO,
                    )
                )
                continue
            ours = float(plh["objectif_plai_annuel"])
            if ours >= t["annuel"] * (1 - tolerance):
                continue
            shortfall = 1 - ours / t["annuel"] if t["annuel"] else 0.0
            beyond = (
                " Le PLH couvre aussi des communes hors du département : l'écart sur la partie "
                "du département est au moins aussi grand."
                if bool(epci.loc[siren, "extends_beyond"])
                else ""
            )
            message = (
                f"{name} ({nom}, {span[0]}-{span[1]}) : {fr_number(ours)} PLA-I par an, "
                f"{fr_percent(shortfall)} de moins que l'objectif territorialisé du PDALHPD "
                f"pour {scope} ({plan_text}) ; tolérance : {fr_percent(tolerance, 0)}. Le PLH "
                f"doit prendre en compte le PDALHPD.{beyond}"
            )
            details.update(objectif_plh_annuel=ours, ecart_relatif=round(shortfall, 4))
            findings.append(PLH_PDALHPD_OBJECTIVE.finding("epci", siren, nom, message, details))
    return findings


PLH_PDALHPD_OBJECTIVE = Rule(
    id="PLH_PDALHPD_OBJECTIVE",
    label="Objectif PLA-I du PLH inférieur à celui du PDALHPD",
    article="CCH, art. L302-1 (le PLH prend en compte le PDALHPD)",
    basis=(
        "Le PLH prend en compte le PDALHPD. Objectif annuel de PLA-I du PLH comparé à "
        "l'objectif du PDALHPD territorialisé au même EPCI (ou à une instance qui le recouvre "
        "exactement), ramené à l'année ; signalé au-delà d'une tolérance de 10 % d'écart."
    ),
    severity=ALERTE,
    check=check_plh_objective,
)
