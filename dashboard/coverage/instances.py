"""Rules on the plan's local instances and the PDH sectors, from commune memberships.

Instances of type ``secteur_pdh`` are checked by PDH_SECTORS only; every other type
(``clh``, ``territoire`` …) by INSTANCE_SPLITS_EPCI and COMMUNE_OUTSIDE_INSTANCES, each
type separately.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

from dashboard.coverage.inputs import CoverageInputs, records
from dashboard.coverage.model import ALERTE, INFO, Finding, Rule

SECTEUR_PDH = "secteur_pdh"
MAX_NOMS = 5


def type_label(instance_type: str) -> str:
    """``clh`` → ``CLH``, ``secteur_pdh`` → ``secteur du PDH``, others unchanged."""
    return {"clh": "CLH", SECTEUR_PDH: "secteur du PDH"}.get(instance_type, instance_type)


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:MAX_NOMS])
    return shown + (f" et {len(names) - MAX_NOMS} autres" if len(names) > MAX_NOMS else "")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


@dataclass(frozen=True)
class EpciCut:
    """An EPCI whose communes fall in several instances of one type, or partly in none."""

    siren: str
    nom: str
    nb_communes: int
    instances: list[tuple[str, str, int]]  # (code, nom, communes of the EPCI in it)
    sans_instance: list[tuple[str, str]]  # (code_insee, nom)


def epci_cuts(inputs: CoverageInputs, instance_type: str) -> list[EpciCut]:
    """EPCI cut by the instances of one type (several instances, or some communes in none)."""
    mem = inputs.memberships
    mem = mem[mem["instance_type"] == instance_type]
    instances_of: dict[str, list[tuple[str, str]]] = {}
    for code, icode, inom in zip(mem["code_insee"].tolist(), mem["instance_code"].tolist(),
                                 mem["instance_nom"].tolist(), strict=True):  # fmt: skip
        instances_of.setdefault(code, []).append((icode, inom))
    # One pass over the communes, in plain Python: a few hundred communes, where each
    # pandas step would cost more than the rule.
    com = inputs.reference.communes
    groups: dict[str, tuple[str, set, Counter, dict]] = {}
    for code, nom, siren, epci_nom in zip(
        *(com[c].tolist() for c in ("code_insee", "nom", "epci_siren", "epci_nom")),
        strict=True,
    ):
        if not isinstance(siren, str):
            continue
        _, codes, counts, sans = groups.setdefault(siren, (epci_nom, set(), Counter(), {}))
        codes.add(code)
        placed = instances_of.get(code)
        if not placed:
            sans.setdefault(code, nom)
        for icode, inom in placed or ():
            if not pd.isna(inom):
                counts[(icode, inom)] += 1
    cuts = []
    for siren in sorted(groups):
        epci_nom, codes, counts, sans = groups[siren]
        if len(counts) > 1 or (len(counts) and len(sans)):
            cuts.append(
                EpciCut(
                    siren=str(siren),
                    nom=str(epci_nom),
                    nb_communes=len(codes),
                    instances=[(str(c), str(n), int(k)) for (c, n), k in sorted(counts.items())],
                    sans_instance=list(sans.items()),
                )
            )
    return cuts


def _cut_message(cut: EpciCut, instance_type: str) -> str:
    label = type_label(instance_type)
    parts = [f"{code} {nom} ({_plural(n, 'commune')})" for code, nom, n in cut.instances]
    text = (
        f"{cut.nom} (SIREN {cut.siren}, {_plural(cut.nb_communes, 'commune')} dans le département) "
    )
    if len(cut.instances) > 1:
        text += f"est partagée entre plusieurs instances de type {label} : {', '.join(parts)}"
        if cut.sans_instance:
            text += f", et {_plural(len(cut.sans_instance), 'commune')} n'est dans aucune"
    else:
        text += f"n'est que partiellement dans l'instance {parts[0]}"
    if cut.sans_instance:
        text += (
            f" ({_plural(len(cut.sans_instance), 'commune')} hors de toute instance de type "
            f"{label} : {_names([n for _, n in cut.sans_instance])})"
        )
    return text + "."


def _cut_details(cut: EpciCut, instance_type: str) -> dict:
    return {
        "instance_type": instance_type,
        "instances": {code: n for code, _, n in cut.instances},
        "communes_sans_instance": [c for c, _ in cut.sans_instance],
    }


def communes_outside(inputs: CoverageInputs, instance_type: str) -> pd.DataFrame:
    """Communes in no instance of a type: ``code_insee``, ``nom``, ``epci_nom``."""
    mem = inputs.memberships
    covered = set(mem.loc[mem["instance_type"] == instance_type, "code_insee"])
    com = inputs.reference.communes
    outside = ~com["code_insee"].isin(covered).to_numpy()
    return pd.DataFrame(
        {c: com[c].to_numpy()[outside] for c in ("code_insee", "nom", "epci_nom")},
        index=com.index[outside],
    )


def communes_multiple(inputs: CoverageInputs, instance_type: str) -> pd.Series:
    """Communes in several instances of a type: ``code_insee → sorted instance codes``."""
    mem = inputs.memberships
    mem = mem[mem["instance_type"] == instance_type]
    mem = mem[mem.duplicated("code_insee", keep=False)]  # only those listed twice or more
    if mem.empty:
        return pd.Series(dtype=object)
    per = mem.groupby("code_insee")["instance_code"].apply(lambda s: sorted(set(s)))
    return per[per.str.len() > 1]


def _commune_findings(rule: Rule, inputs: CoverageInputs, instance_type: str) -> list[Finding]:
    label = type_label(instance_type)
    com = inputs.reference.communes
    noms = dict(zip(com["code_insee"].tolist(), com["nom"].tolist(), strict=True))
    findings = []
    for c in records(communes_outside(inputs, instance_type)):
        findings.append(
            rule.finding(
                "commune",
                c["code_insee"],
                c["nom"],
                f"{c['nom']} ({c['code_insee']}, {c['epci_nom']}) n'appartient à aucune instance "
                f"de type {label} : chaque commune du département doit relever d'une instance.",
                {"instance_type": instance_type, "instances": []},
            )
        )
    for code, instances in communes_multiple(inputs, instance_type).items():
        findings.append(
            rule.finding(
                "commune",
                code,
                noms.get(code, code),
                f"{noms.get(code, code)} ({code}) appartient à plusieurs instances de type "
                f"{label} : {', '.join(instances)} ; une commune doit relever d'une seule.",
                {"instance_type": instance_type, "instances": instances},
            )
        )
    return findings


def _plan_types(inputs: CoverageInputs) -> list[str]:
    types = inputs.memberships["instance_type"].dropna().astype(str).unique()
    return sorted(t for t in types if t != SECTEUR_PDH)


def check_instance_splits(inputs: CoverageInputs) -> list[Finding]:
    """INSTANCE_SPLITS_EPCI: one finding per (EPCI, instance type) cut by the instances."""
    findings = []
    for itype in _plan_types(inputs):
        for cut in epci_cuts(inputs, itype):
            findings.append(
                INSTANCE_SPLITS_EPCI.finding(
                    "epci", cut.siren, cut.nom, _cut_message(cut, itype), _cut_details(cut, itype)
                )
            )
    return findings


def check_communes_outside(inputs: CoverageInputs) -> list[Finding]:
    """COMMUNE_OUTSIDE_INSTANCES: communes in no instance, or in several of the same type."""
    findings = []
    for itype in _plan_types(inputs):
        findings.extend(_commune_findings(COMMUNE_OUTSIDE_INSTANCES, inputs, itype))
    return findings


def check_pdh_sectors(inputs: CoverageInputs) -> list[Finding]:
    """PDH_SECTORS: EPCI cut by the PDH sectors and communes outside every sector (or in
    several); a single info finding when no sector is defined."""
    mem = inputs.memberships
    if mem.empty or not (mem["instance_type"] == SECTEUR_PDH).any():
        ref = inputs.reference
        return [
            PDH_SECTORS.finding(
                "departement",
                ref.departement,
                ref.departement_nom,
                "Aucun secteur du PDH n'est défini (instances de type secteur_pdh) : la "
                "cohérence des secteurs avec les EPCI n'a pas pu être vérifiée.",
                severity=INFO,
            )
        ]
    findings = []
    for cut in epci_cuts(inputs, SECTEUR_PDH):
        findings.append(
            PDH_SECTORS.finding(
                "epci",
                cut.siren,
                cut.nom,
                _cut_message(cut, SECTEUR_PDH)
                + " Les secteurs du PDH devraient suivre les périmètres des EPCI pour articuler "
                "territoires couverts et non couverts par un PLH.",
                _cut_details(cut, SECTEUR_PDH),
            )
        )
    findings.extend(_commune_findings(PDH_SECTORS, inputs, SECTEUR_PDH))
    return findings


INSTANCE_SPLITS_EPCI = Rule(
    id="INSTANCE_SPLITS_EPCI",
    label="EPCI partagé entre plusieurs instances locales",
    article="Règle de méthode du projet : instances locales construites sur les EPCI",
    basis=(
        "Les instances locales du plan sont construites sur les EPCI : un EPCI dont les "
        "communes relèvent de plusieurs instances d'un même type (souvent après une fusion), "
        "ou en partie d'aucune, brouille l'articulation avec son PLH."
    ),
    severity=ALERTE,
    check=check_instance_splits,
)

COMMUNE_OUTSIDE_INSTANCES = Rule(
    id="COMMUNE_OUTSIDE_INSTANCES",
    label="Commune hors instance ou dans plusieurs instances",
    article="Règle de méthode du projet : chaque commune relève d'une seule instance par type",
    basis=(
        "Chaque commune du département relève d'une et une seule instance locale de chaque "
        "type ; une commune oubliée n'est suivie par aucune instance."
    ),
    severity=ALERTE,
    check=check_communes_outside,
)

PDH_SECTORS = Rule(
    id="PDH_SECTORS",
    label="Secteurs du PDH incohérents avec les EPCI",
    article="CCH, art. L302-10",
    basis=(
        "Le PDH couvre tout le département et assure la cohérence entre territoires couverts "
        "par un PLH et territoires qui ne le sont pas : ses secteurs devraient couvrir chaque "
        "commune une fois et ne pas couper d'EPCI. Sans secteur défini, une information le "
        "signale."
    ),
    severity=ALERTE,
    check=check_pdh_sectors,
)
