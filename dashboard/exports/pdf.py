"""PDF fiche of an EPCI or an instance (weasyprint), offline.

Maps and charts are PNG drawn by matplotlib and embedded as ``data:`` URIs; every text
from the data goes through :func:`html.escape` after :func:`~dashboard.formatting.typo`
(’, « », non-breaking spaces, en dashes). Each figure carries its source and millésime;
the footer gives the date and « données de démonstration » when relevant.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from collections.abc import Sequence

import pandas as pd

from dashboard.coverage.model import SEVERITY_LABELS
from dashboard.exports import charts
from dashboard.exports.bundle import ExportBundle, TerritoryRef
from dashboard.exports.fiche import FicheContent, fiche_content, field_value
from dashboard.formatting import fr_date, num, pct, typo
from dashboard.indicators.status import au
from dashboard.maps.static import overview_png
from dashboard.store.schemas import LABELS
from geo.reference import SOURCE_GEOGRAPHIE

#: Operations listed in full on the fiche (the rest are counted).
MAX_OPERATIONS = 15
STATUT_OPERATION = LABELS["statut_operation"]
STATUT_PLAN = LABELS["statut_plan"]

CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm;
  @bottom-left { content: element(footer); }
  @bottom-right { content: "page " counter(page) "\\202f/\\202f" counter(pages);
                  font: 7.5pt 'DejaVu Sans'; color: #555; } }
body { font-family: 'DejaVu Sans', sans-serif; font-size: 9pt; color: #161616;
       line-height: 1.35; hyphens: auto; }
.footer { position: running(footer); font-size: 7.5pt; color: #555; }
.nw { white-space: nowrap; }
img.chart { width: 62%; }
.kicker { color: #000091; font-weight: bold; text-transform: uppercase; font-size: 8pt;
          letter-spacing: 0.05em; margin: 0; }
h1 { color: #000091; font-size: 19pt; margin: 2pt 0 2pt 0; }
.sub { color: #3a3a3a; margin: 0 0 6pt 0; }
.demo { border: 1.5pt solid #e1000f; color: #e1000f; padding: 4pt 6pt; font-weight: bold;
        margin: 4pt 0 8pt 0; }
h2 { color: #000091; font-size: 12.5pt; border-bottom: 1pt solid #000091;
     margin: 12pt 0 5pt 0; padding-bottom: 1pt; break-after: avoid; }
.figures { display: flex; flex-wrap: wrap; gap: 5pt; }
.fig { border: 0.6pt solid #c9ccd6; border-left: 3pt solid #000091; padding: 4pt 6pt;
       width: 29%; }
.fig .v { font-size: 13pt; font-weight: bold; }
.fig .l { font-size: 8pt; color: #3a3a3a; }
.fig .s { font-size: 6.5pt; color: #666; }
figure { margin: 4pt 0; break-inside: avoid; }
figure img { width: 100%; }
img.map { width: 62%; display: block; margin: 0 auto; }
figcaption, .source { font-size: 7pt; color: #555; margin-top: 2pt; }
table { border-collapse: collapse; width: 100%; font-size: 7.8pt; margin: 3pt 0;
        break-inside: auto; }
th { background: #000091; color: white; text-align: left; padding: 2pt 3pt; }
td { border-bottom: 0.5pt solid #ddd; padding: 2pt 3pt; vertical-align: top; }
td.n, th.n { text-align: right; white-space: nowrap; }
tr.me td { font-weight: bold; background: #eef0fb; }
.sev-erreur { color: #ce0500; font-weight: bold; } .sev-alerte { color: #b34000; }
.none { color: #666; font-style: italic; }
dl.sources dt { font-weight: bold; } dl.sources dd { margin: 0 0 3pt 8pt; font-size: 7.5pt; }
"""


def esc(value: object) -> str:
    """French typography, then HTML escaping: every data text goes through this."""
    return html.escape(typo(value), quote=True)


def nw(value: object) -> str:
    """Escaped text that must not wrap (periods, dates)."""
    return f'<span class="nw">{esc(value)}</span>'


def statut_label(value: object) -> str:
    """French label of an operation status (``agreee`` → « agréée »)."""
    return STATUT_OPERATION.get(str(value), str(value or "–"))


def img_uri(png: bytes) -> str:
    """A PNG as a ``data:`` URI (no file, no network)."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def html_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Sequence[int] = (),
    highlight: Sequence[bool] | None = None,
) -> str:
    """An HTML table; ``rows`` hold *already escaped* cells."""
    if not rows:
        return '<p class="none">Aucune donnée.</p>'
    head = "".join(
        f'<th class="n">{esc(h)}</th>' if i in numeric else f"<th>{esc(h)}</th>"
        for i, h in enumerate(headers)
    )
    body = []
    for k, row in enumerate(rows):
        cls = ' class="me"' if highlight is not None and highlight[k] else ""
        cells = "".join(
            f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
            for i, c in enumerate(row)
        )
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _figure(png: bytes, caption: str, css_class: str = "") -> str:
    cls = f' class="{css_class}"' if css_class else ""
    return (
        f'<figure><img{cls} src="{img_uri(png)}" alt="{esc(caption)}">'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def _objectives(content: FicheContent) -> str:
    day = content.objectives["date_statut"].dropna() if "date_statut" in content.objectives else []
    status = f"Statut {au(day.iloc[0])}" if len(day) else "Statut"
    obj = content.objectives
    if obj.empty:
        return '<p class="none">Aucun objectif ni réalisation pour ce territoire.</p>'
    with_obj = obj[obj["objectif"].fillna(0) > 0]
    chart = ""
    if not with_obj.empty:
        png = charts.achievement_png(
            list(with_obj["libelle"].fillna(with_obj["indicateur"])),
            list(with_obj["objectif"]),
            list(with_obj["realise"].fillna(0)),
            [None if pd.isna(v) else v for v in with_obj["attendu_a_date"]],
            size=(7.0, 1.6),
        )
        sources = "; ".join(sorted(set(with_obj["source"].dropna().astype(str))))
        chart = _figure(
            png, f"Réalisé / objectif de la période ; trait rouge : attendu à date. "
                 f"Source : {sources}"
        )  # fmt: skip
    rows = [
        [esc(r.libelle or r.indicateur), nw(r.periode), num(r.objectif), num(r.realise),
         pct(r.taux), num(r.attendu_a_date), esc(r.statut)]
        for r in obj.itertuples()
    ]  # fmt: skip
    return (
        chart
        + html_table(["Indicateur", "Période", "Objectif", "Réalisé", "Taux", "Attendu à date",
                      status], rows, numeric=(2, 3, 4, 5))
    )  # fmt: skip


def _operations(content: FicheContent, bundle: ExportBundle) -> str:
    ops = content.operations
    if ops.empty:
        return '<p class="none">Aucune opération importée dans ce territoire.</p>'
    parts = []
    by_year = content.operations_by_year
    if not by_year.empty:
        png = charts.yearly_png(list(by_year["annee"]), list(by_year["nb_plai"]))
        caption = (
            "Logements PLA-I des opérations par année (hors abandonnées). "
            f"Source : opérations importées (Sisal / Galion) – {bundle.source}"
        )
        parts.append(_figure(png, caption, css_class="chart"))
    rows = [
        [esc(r.annee), esc(r.commune), esc(getattr(r, "libelle", "") or ""),
         esc(getattr(r, "bailleur", "") or ""), num(r.nb_plai),
         esc(statut_label(getattr(r, "statut", "")))]
        for r in ops.head(MAX_OPERATIONS).itertuples()
    ]  # fmt: skip
    parts.append(html_table(["Année", "Commune", "Opération", "Bailleur", "PLA-I", "Statut"],
                            rows, numeric=(4,)))  # fmt: skip
    if len(ops) > MAX_OPERATIONS:
        parts.append(f'<p class="source">… et {num(len(ops) - MAX_OPERATIONS)} autres '
                     f"opérations (classeur XLSX, feuille « Opérations »).</p>")  # fmt: skip
    return "".join(parts)


def _signals(content: FicheContent) -> str:
    from dashboard.indicators.outcomes import DEFINITION_ISSUES

    sig = content.signals
    rows = [
        [esc(r.territoire_nom), num(r.nb_signalements), num(r.nb_resolus),
         num(r.nb_clos_sans_resolution), num(r.nb_en_cours), num(r.taux_pour_10000, 1),
         num(r.delai_median_cloture_jours)]
        for r in sig.itertuples()
    ]  # fmt: skip
    src = esc(f"{DEFINITION_ISSUES} Source : {sig['source'].iloc[0]}") if not sig.empty else ""
    return html_table(
        ["Territoire", "Déposés", "Résolus", "Clos sans résolution", "En cours",
         "Pour 10 000 hab.", "Délai médian de clôture (jours)"], rows,
        numeric=(1, 2, 3, 4, 5, 6), highlight=[i == 0 for i in range(len(rows))],
    ) + f'<p class="source">{src}</p>'  # fmt: skip


def _fields(content: FicheContent) -> str:
    """Key figures of the other fields in their last year, next to the département's."""
    rows = [
        [esc(r.champ), esc(r.libelle_court), str(r.annee), field_value(r.valeur, r.unite),
         field_value(r.valeur_departement, r.unite)]
        for r in content.fields.itertuples()
    ]  # fmt: skip
    sources = "".join(
        f'<p class="source">{esc(f"{champ} : {src}")}</p>'
        for champ, src in content.fields.drop_duplicates("champ")[["champ", "source"]].itertuples(
            index=False)
    )  # fmt: skip
    return html_table(["Champ", "Indicateur", "Année", "Territoire", "Département"], rows,
                      numeric=(3, 4)) + sources  # fmt: skip


def _plh(content: FicheContent, bundle: ExportBundle) -> str:
    plh = content.plh

    def _d(v: object) -> str:
        return fr_date(v) if isinstance(v, dt.date) else "–"

    rows = [
        [esc(r.nom), "cas limite" if getattr(r, "cas_limite", False) else
         "oui" if r.oblige else "non", esc(r.intitule or "aucun PLH"),
         esc(STATUT_PLAN.get(str(r.statut), r.statut or "–")), _d(r.date_debut),
         _d(r.date_fin), num(r.objectif_plai_annuel)]
        for r in plh.itertuples()
    ]  # fmt: skip
    return html_table(
        ["EPCI", "Tenu d’avoir un PLH", "Plan", "Statut", "Début", "Fin", "PLA-I / an"],
        rows, numeric=(6,),
    ) + f'<p class="source">{esc("Source : " + bundle.coverage.source)}</p>'  # fmt: skip


def _findings(content: FicheContent) -> str:
    rows = [
        [f'<span class="sev-{html.escape(r.severity)}">'
         f"{esc(SEVERITY_LABELS.get(r.severity, r.severity))}</span>",
         esc(r.rule_label), esc(r.message), esc(r.article)]
        for r in content.findings.itertuples()
    ]  # fmt: skip
    if not rows:
        return '<p class="none">Aucun constat de couverture ne concerne ce territoire.</p>'
    return html_table(["Gravité", "Règle", "Constat", "Fondement"], rows)


def _comparison(content: FicheContent, bundle: ExportBundle) -> str:
    cmp_ = content.comparison
    rows = [
        [esc(r.territoire_nom), num(r.population), num(r.objectif), num(r.realise), pct(r.taux),
         num(r.taux_pour_10000, 1)]
        for r in cmp_.itertuples()
    ]  # fmt: skip
    what = "EPCI de même nature" if content.ref.type == "epci" else "instances"
    period = bundle.plan_period("plai") or ""
    return (
        f"<p>{esc(f'Comparaison avec les {what} et le département (PLA-I {period}).')}</p>"
        + html_table(["Territoire", "Population", "Objectif PLA-I", "PLA-I financés", "Taux",
                      "Signalements pour 10 000 hab."], rows, numeric=(1, 2, 3, 4, 5),
                     highlight=list(cmp_["est_ce_territoire"]))
    )  # fmt: skip


def _actions(content: FicheContent) -> str:
    rows = [
        [esc(r.code), esc(r.intitule), esc(r.pilote), esc(r.statut_libelle), pct(r.avancement),
         num(r.jalons_en_retard)]
        for r in content.actions.itertuples()
    ]  # fmt: skip
    if not rows:
        return '<p class="none">Aucune action du programme ne vise spécialement ce territoire.</p>'
    return html_table(["Action", "Intitulé", "Pilote", "Statut", "Avancement",
                       "Jalons en retard"], rows, numeric=(4, 5))  # fmt: skip


def _comments(content: FicheContent) -> str:
    rows = [
        [fr_date(r.date), esc(r.territoire_nom), esc(r.auteur or ""), esc(r.texte)]
        for r in content.comments.itertuples()
    ]  # fmt: skip
    if not rows:
        return '<p class="none">Aucun commentaire validé sur ce territoire.</p>'
    return html_table(["Date", "Territoire", "Auteur", "Commentaire"], rows)


def fiche_html(bundle: ExportBundle, territoire: str | TerritoryRef) -> str:
    """The HTML of a fiche (what :func:`fiche_pdf` prints)."""
    ref = territoire if isinstance(territoire, TerritoryRef) else bundle.territoire(territoire)
    content = fiche_content(bundle, ref)
    terr = bundle.territory
    demo = bundle.demo_note
    map_png = overview_png(
        terr.communes, terr.epci, terr.instances, bundle.geometry_of(ref), size=(6.0, 6.0)
    )
    figures = "".join(
        f'<div class="fig"><div class="v">{esc(v)}</div><div class="l">{esc(label)}</div>'
        f'<div class="s">{esc(src)}</div></div>'
        for label, v, src in content.key_figures
    )
    footer = (
        f"Territoires du Plan – {ref.nom} – au {fr_date(bundle.today)}, "
        f"édité le {fr_date(dt.date.today())}" + (f" – {demo.upper()}" if demo else "")
    )
    warning = (
        f"Attention : {demo}. Les instances, objectifs, opérations, signalements et plans "
        "sont inventés ; la géographie et les populations sont réelles."
    )
    banner = f'<p class="demo">{esc(warning)}</p>' if demo else ""
    sources = "".join(f"<dt>{esc(w)}</dt><dd>{esc(s)}</dd>" for w, s in bundle.sources())
    map_caption = (
        f"{ref.nom} (contour rouge), EPCI (traits bleus) et instances. "
        f"Source : {SOURCE_GEOGRAPHIE} ; {terr.instances_source}"
    )
    subtitle = f"{ref.kind_label} – code {ref.code} – chiffres au {fr_date(bundle.today)}"
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{esc(f"Fiche – {ref.nom}")}</title>
<style>{CSS}</style></head><body>
<div class="footer">{esc(footer)}</div>
<p class="kicker">{esc(f"Fiche territoire – PDALHPD – {bundle.departement_nom}")}</p>
<h1>{esc(ref.nom)}</h1>
<p class="sub">{esc(subtitle)}</p>
{banner}
<h2>Chiffres clés</h2><div class="figures">{figures}</div>
<h2>Situation</h2>{_figure(map_png, map_caption, "map")}
<h2>Objectifs et réalisations</h2>{_objectives(content)}
<h2>Opérations PLA-I</h2>{_operations(content, bundle)}
<h2>Signalements (habitat indigne)</h2>{_signals(content)}
{f"<h2>Autres champs du plan</h2>{_fields(content)}" if not content.fields.empty else ""}
<h2>Programmes locaux de l’habitat</h2>{_plh(content, bundle)}
<h2>Constats de couverture des plans</h2>{_findings(content)}
<h2>Comparaison</h2>{_comparison(content, bundle)}
<h2>Actions du plan qui concernent ce territoire</h2>{_actions(content)}
<h2>Commentaires</h2>{_comments(content)}
<h2>Sources et millésimes</h2><dl class="sources">{sources}</dl>
</body></html>"""


def fiche_pdf(bundle: ExportBundle, territoire: str | TerritoryRef) -> bytes:
    """The PDF fiche of ``territoire`` (``epci:SIREN``, ``instance:CODE`` or a ref).

    Raises
    ------
    UnknownTerritoryError
        For an unknown or malformed territory.
    """
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Offline by construction: only the embedded data: URIs are fetched.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=fiche_html(bundle, territoire), url_fetcher=fetcher).write_pdf()
