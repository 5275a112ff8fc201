"""The annual report (« bilan annuel d'exécution »), frozen once per year.

The comité responsable « établit un bilan annuel d'exécution » (décret 2017-1565). Freezing
the edition of ``ANNEE``:

1. reads the tables as they stood on 31/12/ANNEE (:meth:`LoadedTables.until`): operations
   and réalisations up to that year, signals filed by then (a later closure counts as
   open), milestones reached by then; the comments of ANNEE and of the next year until
   the freeze (the reporting season);
2. computes the figures the usual way (:func:`dashboard.exports.bundle.load_bundle`):
   indicators and balance, coverage gaps, the programme's actions;
3. records the data versions they came from (:func:`dashboard.store.editions.data_versions`:
   the import-log ids and SHA-256 of every kind, and a fingerprint of each table), read
   before and after the computation so that a write in between is noticed;
4. renders the PDF report, the PPTX deck and the XLSX workbook, and stores the JSON and
   the three files in the workspace (:func:`dashboard.store.editions.save_edition`).

A frozen edition never changes afterwards: later imports change the tables, not it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard.exports.bundle import ExportBundle, load_bundle
from dashboard.exports.pdf import CSS, _figure, esc, html_table, nw
from dashboard.formatting import fr_date, num, pct, typo
from dashboard.indicators.status import DEFINITION_TAUX
from dashboard.intake.loader import ALL_KINDS
from dashboard.programme.actions import DEFINITION_AVANCEMENT
from dashboard.programme.loop import awaiting, reporting
from dashboard.store.editions import (
    FILE_FORMATS,
    Edition,
    data_versions,
    read_edition,
    save_edition,
)
from dashboard.store.permissions import Acteur, check_review
from dashboard.store.schemas import STATUT_A_REVOIR
from dashboard.store.workspace import WorkspaceError, open_workspace

#: Version of the edition JSON layout.
EDITION_FORMAT = 1
#: Territory levels whose indicator rows an edition keeps (communes are in the XLSX).
EDITION_LEVELS = ("departement", "instance", "epci")
FILE_NAMES = {"pdf": "bilan_{annee}.pdf", "pptx": "bilan_{annee}.pptx",
              "xlsx": "bilan_{annee}.xlsx"}  # fmt: skip
MIME = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


class EditionError(ValueError):
    """A freeze that cannot be done (year not over, no workspace, data changed meanwhile)."""


def edition_title(annee: int, departement_nom: str) -> str:
    """« Bilan annuel d'exécution 2024 – PDALHPD – Isère »."""
    return typo(f"Bilan annuel d’exécution {annee} – PDALHPD – {departement_nom}")


def _json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    clean = frame.astype(object).where(frame.notna(), None)
    out = []
    for row in clean.to_dict("records"):
        record = {}
        for key, value in row.items():
            if isinstance(value, pd.Timestamp | dt.date):
                value = pd.Timestamp(value).date().isoformat()
            elif hasattr(value, "item"):
                value = value.item()
            record[key] = value
        out.append(record)
    return out


def edition_payload(
    bundle: ExportBundle, annee: int, versions: dict[str, Any], acteur: Acteur,
    frozen_at: dt.datetime,
) -> dict[str, Any]:
    """The figures of the edition (what the JSON stores), from a bundle cut at 31/12/ANNEE."""
    ind = bundle.indicators
    ind = ind[ind["territoire_type"].isin(EDITION_LEVELS)]
    decl = bundle.declarations
    rep = reporting(decl, bundle.territory.reference, annee)
    report = bundle.programme
    return {
        "format": EDITION_FORMAT,
        "annee": int(annee),
        "date_reference": bundle.today.isoformat(),
        "departement": bundle.departement,
        "departement_nom": bundle.departement_nom,
        "gele_le": frozen_at.isoformat(timespec="seconds"),
        "gele_par": acteur.identifiant,
        "role": acteur.role,
        "source": bundle.source,
        "demonstration": bool(bundle.is_demo),
        "definitions": {"taux": DEFINITION_TAUX, "avancement": DEFINITION_AVANCEMENT},
        "indicators": _json_records(ind),
        "balance": bundle.payload["balance"],
        "gaps": [f.to_json() for f in bundle.coverage.findings],
        "actions": report.records(),
        "jalons_en_retard": _json_records(report.late_milestones()),
        "commentaires": _json_records(bundle.comments),
        "declarations": {
            "en_attente": len(awaiting(decl)),
            "a_revoir": len(awaiting(decl, STATUT_A_REVOIR)),
            "epci_ayant_declare": _json_records(rep[rep["a_declare"]][["epci_siren", "epci_nom"]]),
            "epci_sans_declaration": _json_records(
                rep[~rep["a_declare"]][["epci_siren", "epci_nom"]]),
        },
        "versions": versions,
        "avertissements": list(bundle.warnings),
    }


# ------------------------------------------------------------------ the PDF report


def _synthesis(bundle: ExportBundle) -> str:
    from dashboard.exports import charts

    ind = bundle.indicators
    dep = ind[(ind["territoire_type"] == "departement") & (ind["annee_fin"] > ind["annee_debut"])]
    dep = dep[~dep["objectif_annualise"].fillna(False).astype(bool)]
    with_obj = dep[dep["objectif"].fillna(0) > 0]
    chart = ""
    if not with_obj.empty:
        png = charts.achievement_png(
            list(with_obj["libelle"].fillna(with_obj["indicateur"])), list(with_obj["objectif"]),
            list(with_obj["realise"].fillna(0)),
            [None if pd.isna(v) else v for v in with_obj["attendu_a_date"]], size=(7.0, 2.2),
        )  # fmt: skip
        chart = _figure(png, "Réalisé / objectif de la période ; trait rouge : attendu à date.")
    rows = [
        [esc(r.libelle or r.indicateur), nw(r.periode), num(r.objectif), num(r.realise),
         pct(r.taux), num(r.attendu_a_date), esc(r.statut)]
        for r in dep.itertuples()
    ]  # fmt: skip
    return chart + html_table(["Indicateur", "Période", "Objectif", "Réalisé", "Taux",
                               "Attendu à date", "Statut"], rows, numeric=(2, 3, 4, 5))


def _actions(bundle: ExportBundle) -> str:
    report = bundle.programme
    if report.actions.empty:
        return '<p class="none">Aucun programme d’actions dans l’espace de travail.</p>'
    parts = []
    for axe in report.axes:
        rows = report.actions[report.actions["axe"] == axe]
        parts.append(f"<h3>{esc(axe)}</h3>")
        parts.append(html_table(
            ["Action", "Intitulé", "Pilote", "Statut", "Avancement", "Jalons en retard"],
            [[esc(r.code), esc(r.intitule), esc(r.pilote), esc(r.statut_libelle),
              pct(r.avancement), num(r.jalons_en_retard)] for r in rows.itertuples()],
            numeric=(4, 5),
        ))  # fmt: skip
    late = report.late_milestones()
    parts.append("<h3>Jalons en retard</h3>")
    parts.append(html_table(
        ["Action", "Jalon", "Prévu le", "Retard (jours)"],
        [[esc(r.action), esc(r.libelle), fr_date(r.date_prevue), num(r.jours_de_retard)]
         for r in late.itertuples()], numeric=(3,),
    ))  # fmt: skip
    parts.append(f'<p class="source">{esc(DEFINITION_AVANCEMENT)}</p>')
    return "".join(parts)


def _territories(bundle: ExportBundle) -> str:
    from dashboard.exports.presentation import plai_by_instance

    rows = plai_by_instance(bundle)
    return html_table(
        ["Instance", "Objectif PLA-I", "Financés", "Taux", "Attendu à date", "Statut"],
        [[esc(r.territoire_nom), num(r.objectif), num(r.realise), pct(r.taux),
          num(r.attendu_a_date), esc(r.statut)] for r in rows.itertuples()],
        numeric=(1, 2, 3, 4),
    )  # fmt: skip


def _loop(donnees: dict[str, Any]) -> str:
    decl = donnees["declarations"]
    missing = ", ".join(e["epci_nom"] for e in decl["epci_sans_declaration"]) or "aucun"
    text = (f"{len(decl['epci_ayant_declare'])} EPCI ont déclaré des réalisations ou des "
            f"commentaires pour {donnees['annee']} ; {decl['en_attente']} déclaration(s) "
            f"attendent la décision du comité, {decl['a_revoir']} sont à revoir. "
            f"EPCI sans déclaration : {missing}.")  # fmt: skip
    return f"<p>{esc(text)}</p>"


def _comments(bundle: ExportBundle) -> str:
    rows = [[fr_date(r.date), esc(r.territoire_nom), esc(r.auteur or ""), esc(r.action or ""),
             esc(r.texte)] for r in bundle.comments.itertuples()]  # fmt: skip
    return html_table(["Date", "Territoire", "Auteur", "Action", "Commentaire"], rows)


def _gaps(bundle: ExportBundle) -> str:
    frame = bundle.coverage.frame
    if frame.empty:
        return '<p class="none">Aucun écart de couverture.</p>'
    counts = frame.groupby("rule_label").size().sort_values(ascending=False)
    return html_table(["Règle", "Constats"], [[esc(k), num(v)] for k, v in counts.items()],
                      numeric=(1,))  # fmt: skip


def _versions(donnees: dict[str, Any]) -> str:
    rows = []
    for kind, version in donnees["versions"].items():
        imports = version["imports"]
        last = imports[-1] if imports else None
        rows.append([
            esc(kind), num(version["lignes"]), nw(version["empreinte"][:12]),
            esc(", ".join(str(i["id"]) for i in imports) or "–"),
            esc(last["fichier"] if last else "–"),
            nw(last["sha256"][:12] if last and last["sha256"] else "–"),
        ])  # fmt: skip
    return html_table(["Type", "Lignes", "Empreinte", "Imports (journal)", "Dernier fichier",
                       "SHA-256"], rows, numeric=(1,))  # fmt: skip


def bilan_html(bundle: ExportBundle, donnees: dict[str, Any]) -> str:
    """The HTML of the annual report (what :func:`bilan_pdf` prints)."""
    annee = donnees["annee"]
    demo = bundle.demo_note
    warning = f"Attention : {demo}. Les données du plan sont inventées ; la géographie est réelle."
    banner = f'<p class="demo">{esc(warning)}</p>' if demo else ""
    frozen = pd.Timestamp(donnees["gele_le"]).date()
    footer = (f"Territoires du Plan – bilan {annee} – chiffres au {fr_date(bundle.today)}, "
              f"édition gelée le {fr_date(frozen)}" + (f" – {demo.upper()}" if demo else ""))
    sources = "".join(f"<dt>{esc(w)}</dt><dd>{esc(s)}</dd>" for w, s in bundle.sources())
    subtitle = (f"Chiffres au {fr_date(bundle.today)} – édition gelée le {fr_date(frozen)} par "
                f"{donnees['gele_par']} ; elle ne change plus, quelles que soient les données "
                "importées ensuite.")  # fmt: skip
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{esc(edition_title(annee, bundle.departement_nom))}</title>
<style>{CSS} h3 {{ color: #000091; font-size: 10.5pt; margin: 8pt 0 3pt 0; }}</style></head><body>
<div class="footer">{esc(footer)}</div>
<p class="kicker">{esc(f"PDALHPD – {bundle.departement_nom} – comité responsable du plan")}</p>
<h1>{esc(f"Bilan annuel d’exécution {annee}")}</h1>
<p class="sub">{esc(subtitle)}</p>
{banner}
<h2>Synthèse départementale</h2>{_synthesis(bundle)}
<p class="source">{esc(DEFINITION_TAUX)} {esc("Source : " + bundle.source)}</p>
<h2>Programme d’actions</h2>{_actions(bundle)}
<h2>Territoires : PLA-I par instance</h2>{_territories(bundle)}
<h2>Déclarations des délégués</h2>{_loop(donnees)}
<h2>Commentaires</h2>{_comments(bundle)}
<h2>Écarts de couverture des plans</h2>{_gaps(bundle)}
<h2>Versions des données</h2>{_versions(donnees)}
<h2>Sources et millésimes</h2><dl class="sources">{sources}</dl>
</body></html>"""  # noqa: E501


def bilan_pdf(bundle: ExportBundle, donnees: dict[str, Any]) -> bytes:
    """The annual report as PDF (weasyprint, offline)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=bilan_html(bundle, donnees), url_fetcher=fetcher).write_pdf()


# ------------------------------------------------------------------ freezing


def freeze_edition(
    annee: int,
    acteur: Acteur,
    workspace: str | Path | None = None,
    departement: str | None = None,
    replace: bool = False,
    now: dt.datetime | None = None,
) -> Edition:
    """Freeze the edition of ``annee`` in the workspace and return it as stored.

    Raises
    ------
    PermissionRefusee
        If ``acteur`` is neither comité nor administrateur (checked before any work).
    EditionError
        If the year is not over, or the data changed while the edition was computed.
    WorkspaceError
        If there is no workspace, or the year is frozen already and ``replace`` is false.
    """
    from dashboard.exports.pptx import deck_pptx
    from dashboard.exports.xlsx import tables_xlsx

    check_review(acteur, f"geler le bilan {annee}")
    now = now or dt.datetime.now(dt.UTC)
    until = dt.date(int(annee), 12, 31)
    if until >= now.date():
        raise EditionError(f"L'année {annee} n'est pas terminée : son bilan se gèle à partir "
                           f"du 01/01/{int(annee) + 1}.")  # fmt: skip
    with open_workspace(workspace) as ws:
        if not ws.exists():
            raise WorkspaceError("Aucun espace de travail : importez les données (ou "
                                 "« territoires demo ») avant de geler un bilan.")  # fmt: skip
        if not replace and read_edition(ws, annee, with_files=False) is not None:
            save_edition(ws, acteur, annee, until, {}, {}, replace=False)  # raises, says when
        before = data_versions(ws, ALL_KINDS)
    comments_until = min(now.date(), dt.date(int(annee) + 1, 12, 31))
    bundle = load_bundle(departement, workspace, until=until, comments_until=comments_until)
    with open_workspace(workspace) as ws:
        after = data_versions(ws, ALL_KINDS)
        if after != before:
            changed = ", ".join(k for k in ALL_KINDS if after[k] != before[k])
            raise EditionError(f"Les données ont changé pendant le gel ({changed}) : relancez "
                               "le gel pour un bilan cohérent.")  # fmt: skip
        donnees = edition_payload(bundle, annee, after, acteur, now)
        title = edition_title(annee, bundle.departement_nom)
        frozen = f"Comité responsable du plan – chiffres au {fr_date(until)}, édition gelée le " \
                 f"{fr_date(now.date())}"
        files = {
            "pdf": bilan_pdf(bundle, donnees),
            "pptx": deck_pptx(bundle, title=title, subtitle=frozen),
            "xlsx": tables_xlsx(bundle),
        }
        donnees["fichiers"] = {
            fmt: {"nom": FILE_NAMES[fmt].format(annee=annee), "octets": len(data),
                  "sha256": hashlib.sha256(data).hexdigest()}
            for fmt, data in files.items()
        }  # fmt: skip
        edition_id = save_edition(ws, acteur, annee, until, donnees, files, replace=replace)
        stored = read_edition(ws, edition_id=edition_id)
    assert stored is not None
    return stored


def write_edition_files(edition: Edition, out: Path) -> list[Path]:
    """Write the JSON and the files of an edition into the folder ``out``."""
    from dashboard.store.editions import canonical_json

    written = []
    json_path = out / f"bilan_{edition.annee}.json"
    json_path.write_text(canonical_json(edition.donnees), encoding="utf-8")
    written.append(json_path)
    for fmt in FILE_FORMATS:
        if fmt in edition.files:
            path = out / FILE_NAMES[fmt].format(annee=edition.annee)
            path.write_bytes(edition.files[fmt])
            written.append(path)
    return written
