"""PPTX committee deck (python-pptx), offline.

Slides: title, overview map, territorial balance, objectives per instance, signals of
substandard housing per instance (résolus, clos sans résolution, en cours), coverage gaps,
one slide per axe of the action programme and one of the late actions, the latest
comments (délégués' validated ones and the comité's), then one slide per instance. Each
slide holds a picture (map or chart drawn by matplotlib) and a native, editable table; its
footer gives the sources and « données de démonstration » when relevant.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence

import pandas as pd
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from dashboard.coverage.model import SEVERITY_LABELS
from dashboard.exports import charts
from dashboard.exports.bundle import ExportBundle, TerritoryRef
from dashboard.exports.fiche import fiche_content
from dashboard.exports.presentation import field_screens
from dashboard.formatting import fr_date, num, pct, typo
from dashboard.indicators.status import au
from dashboard.maps.static import choropleth_png, overview_png
from geo.reference import SOURCE_GEOGRAPHIE

BLEU = RGBColor(0x00, 0x00, 0x91)
GRIS = RGBColor(0x55, 0x55, 0x55)
ROUGE = RGBColor(0xE1, 0x00, 0x0F)
#: Titles of the fixed slides, in order (then one « Instance – nom » slide per instance).
TITLE_OVERVIEW = "Carte d’ensemble des instances"
TITLE_BALANCE = "Équilibre territorial des PLA-I"
TITLE_OBJECTIVES = "Objectifs PLA-I par instance"
TITLE_SIGNALS = "Habitat indigne : issue des signalements"
TITLE_GAPS = "Écarts de couverture des plans"
FIXED_TITLES = (TITLE_OVERVIEW, TITLE_BALANCE, TITLE_OBJECTIVES, TITLE_SIGNALS, TITLE_GAPS)
#: Title of the slide of the late actions (after one slide per axe of the programme).
TITLE_LATE = "Actions en retard"
#: Milestones named on the slide of the late actions.
MAX_LATE = 12
#: Title of the slide of the comments (délégués' validated ones, and the comité's).
TITLE_COMMENTS = "Paroles des territoires"
#: Characters of a comment shown in the deck's table.
COMMENT_CHARS = 170
MAX_TABLE_ROWS = 14
SITUATIONS = ("PLH en vigueur", "sans PLH", "tenue d’avoir un PLH, sans PLH en vigueur",
              "obligation de PLH à vérifier (cas limite), sans PLH en vigueur",
              "hors instance")  # fmt: skip
SITUATION_COLOURS = ("#18753c", "#c9ccd6", "#e1000f", "#f08a24", "#f4b400")


#: Characters of a 9 pt source line across the slide (12.5 in), a prudent estimate.
FOOTER_CHARS_PER_LINE = 170


def instance_title(nom: str) -> str:
    """Title of an instance slide."""
    return typo(f"Instance – {nom}")


def axe_title(axe: str) -> str:
    """Title of the slide of an axe of the programme."""
    return typo(f"Axe – {axe}")


def programme_titles(bundle: ExportBundle) -> list[str]:
    """Titles of the programme's slides: one per axe, then the late actions (none without
    a programme)."""
    report = bundle.programme
    if report is None or report.actions.empty:
        return []
    return [axe_title(a) for a in report.axes] + [typo(TITLE_LATE)]


def _slide(prs, title: str, footer: str):
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # « Title Only »
    shape = slide.shapes.title
    shape.text = typo(title)
    shape.left, shape.top, shape.width, shape.height = (
        Inches(0.4),
        Inches(0.2),
        Inches(12.5),
        Inches(0.8),
    )
    para = shape.text_frame.paragraphs[0]
    para.font.size, para.font.bold, para.font.color.rgb = Pt(28), True, BLEU
    # The sources can run to several lines: the box grows upwards from the slide's bottom.
    lines = max(1, math.ceil(len(footer) / FOOTER_CHARS_PER_LINE))
    height = 0.16 * lines + 0.12
    box = slide.shapes.add_textbox(Inches(0.4), Inches(7.45 - height), Inches(12.5),
                                   Inches(height))  # fmt: skip
    box.text_frame.word_wrap = True
    run = box.text_frame.paragraphs[0].add_run()
    run.text = typo(footer)
    run.font.size, run.font.color.rgb = Pt(9), GRIS
    return slide


def _picture(slide, png: bytes, left: float, top: float, width: float, height: float) -> None:
    """Place ``png`` at (left, top), as large as fits in width × height inches, aspect kept
    (a chart taller or wider than its box must not run under the table beside it)."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        px_w, px_h = image.size
    scale = min(width / px_w, height / px_h)
    slide.shapes.add_picture(io.BytesIO(png), Inches(left), Inches(top),
                             Inches(px_w * scale), Inches(px_h * scale))  # fmt: skip


def _note(slide, text: str, left: float, top: float, width: float, height: float) -> None:
    """A wrapped 12 pt paragraph (the default 18 pt overflows its box)."""
    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    box.text_frame.word_wrap = True
    box.text_frame.text = typo(text)
    for para in box.text_frame.paragraphs:
        para.font.size = Pt(12)


def _table(
    slide,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    left: float,
    top: float,
    width: float,
    numeric: Sequence[int] = (),
) -> None:
    """A native table (editable in PowerPoint), at most :data:`MAX_TABLE_ROWS` rows."""
    from pptx.enum.text import PP_ALIGN

    rows = list(rows)[:MAX_TABLE_ROWS] or [["Aucune donnée"] + [""] * (len(headers) - 1)]
    height = Inches(0.3) * (len(rows) + 1)
    shape = slide.shapes.add_table(len(rows) + 1, len(headers), Inches(left), Inches(top),
                                   Inches(width), Emu(height))  # fmt: skip
    table = shape.table
    # Columns share the width by the length of their longest text (capped; bold headers
    # count more), so that names do not break mid-word while numbers take little room.
    weights = [
        max(10, min(24, max(1.3 * len(str(headers[j])), *(len(str(r[j])) for r in rows))) + 4)
        for j in range(len(headers))
    ]
    for j, weight in enumerate(weights):
        table.columns[j].width = Emu(int(Inches(width) * weight / sum(weights)))
    for j, text in enumerate(headers):
        cell = table.cell(0, j)
        cell.text = typo(text)
        cell.text_frame.paragraphs[0].font.size = Pt(11)
        cell.text_frame.paragraphs[0].font.bold = True
    for i, row in enumerate(rows, start=1):
        for j, text in enumerate(row):
            cell = table.cell(i, j)
            cell.text = str(text)
            para = cell.text_frame.paragraphs[0]
            para.font.size = Pt(10)
            if j in numeric:
                para.alignment = PP_ALIGN.RIGHT


def deck_title(bundle: ExportBundle) -> str:
    """Title of the deck (and of its first slide)."""
    return typo(f"Bilan du PDALHPD – {bundle.departement_nom}")


def _title_slide(prs, bundle: ExportBundle, title: str, subtitle: str) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    slide.shapes.title.text = typo(title)
    sub = subtitle or f"Comité de mise en œuvre – chiffres au {fr_date(bundle.today)}"
    slide.placeholders[1].text = typo(sub)
    # The default template is 4:3: stretch its placeholders to the 16:9 width.
    for shape, top in ((slide.shapes.title, 2.2), (slide.placeholders[1], 4.0)):
        shape.left, shape.top, shape.width = Inches(0.8), Inches(top), Inches(11.7)
    slide.shapes.title.text_frame.paragraphs[0].font.color.rgb = BLEU
    if bundle.is_demo:
        box = slide.shapes.add_textbox(Inches(0.5), Inches(0.3), Inches(12.3), Inches(0.6))
        run = box.text_frame.paragraphs[0].add_run()
        run.text = typo(f"Attention : {bundle.demo_note} (instances, objectifs, opérations, "
                        "signalements et plans inventés)")  # fmt: skip
        run.font.size, run.font.bold, run.font.color.rgb = Pt(16), True, ROUGE
    box = slide.shapes.add_textbox(Inches(0.5), Inches(7.0), Inches(12.3), Inches(0.4))
    run = box.text_frame.paragraphs[0].add_run()
    run.text = typo(f"Territoires du Plan – édité le {fr_date(dt.date.today())}")
    run.font.size, run.font.color.rgb = Pt(9), GRIS


def _plai_rows(bundle: ExportBundle, level: str) -> pd.DataFrame:
    ind = bundle.indicators
    period = bundle.plan_period("plai")
    return ind[
        (ind["indicateur"] == "plai")
        & (ind["territoire_type"] == level)
        & (ind["periode"] == period)
    ].sort_values("territoire_nom")


def _overview(prs, bundle: ExportBundle, footer: str) -> None:
    terr = bundle.territory
    slide = _slide(
        prs, TITLE_OVERVIEW, f"Source : {SOURCE_GEOGRAPHIE} ; {terr.instances_source}{footer}"
    )
    _picture(slide, overview_png(terr.communes, terr.epci, terr.instances), 0.4, 1.1, 6.0, 5.8)
    rows = [[typo(r.nom), num(len(r.communes)), num(r.population)] for r in bundle.instance_refs()]
    _table(slide, ["Instance", "Communes", "Population"], rows, 6.6, 1.1, 6.3, numeric=(1, 2))


def _balance(prs, bundle: ExportBundle, footer: str) -> None:
    bal = bundle.balance
    bal = bal[(bal["indicateur"] == "plai") & (bal["niveau"] == "instance")]
    per = bal[bal["territoire_type"] == "instance"].sort_values("territoire_nom")
    dep = bal[bal["territoire_type"] == "departement"]
    source = str(per["source"].iloc[0]) if not per.empty else bundle.source
    slide = _slide(prs, TITLE_BALANCE, f"Source : {source}{footer}")
    png = charts.shares_png(list(per["territoire_nom"]), list(per["part_besoin"]),
                            list(per["part_realise"]))  # fmt: skip
    _picture(slide, png, 0.4, 1.1, 6.4, 5.8)
    rows = [
        [typo(r.territoire_nom), pct(r.part_besoin, 1), pct(r.part_realise, 1),
         num(r.indice_equilibre, 2)]
        for r in per.itertuples()
    ]  # fmt: skip
    _table(slide, ["Instance", "Part du besoin", "Part du réalisé", "Indice"], rows, 7.0, 1.1,
           5.9, numeric=(1, 2, 3))  # fmt: skip
    if not dep.empty:
        d = dep.iloc[0]["dissimilarite_realise"]
        _note(slide, f"Indice de dissimilarité : {num(d, 1)} % du réalisé à déplacer pour "
              "une répartition proportionnée à la population.", 7.0, 6.2, 5.9, 0.7)  # fmt: skip


def _objectives(prs, bundle: ExportBundle, footer: str) -> None:
    rows = _plai_rows(bundle, "instance")
    source = str(rows["source"].iloc[0]) if not rows.empty else bundle.source
    slide = _slide(prs, TITLE_OBJECTIVES, f"Source : {source}{footer}")
    with_obj = rows[rows["objectif"].fillna(0) > 0]
    if not with_obj.empty:
        png = charts.achievement_png(
            list(with_obj["territoire_nom"]), list(with_obj["objectif"]),
            list(with_obj["realise"].fillna(0)),
            [None if pd.isna(v) else v for v in with_obj["attendu_a_date"]],
        )  # fmt: skip
        _picture(slide, png, 0.4, 1.1, 6.8, 5.8)
    table = [
        [typo(r.territoire_nom), num(r.objectif), num(r.realise), pct(r.taux), typo(r.statut)]
        for r in rows.itertuples()
    ]
    _table(slide, ["Instance", "Objectif", "Réalisé", "Taux", f"Statut {au(bundle.today)}"],
           table, 7.4, 1.1, 5.5,
           numeric=(1, 2, 3))  # fmt: skip


def _signals(prs, bundle: ExportBundle, footer: str) -> None:
    from dashboard.exports.presentation import signals_by_instance
    from dashboard.indicators.outcomes import DEFINITION_ISSUES, ISSUES

    rows = signals_by_instance(bundle)
    source = str(rows["source"].iloc[0]) if not rows.empty else bundle.source
    slide = _slide(prs, TITLE_SIGNALS, f"{DEFINITION_ISSUES} Source : {source}{footer}")
    if rows.empty:
        _note(slide, "Aucun signalement importé.", 0.4, 1.1, 12.0, 0.6)
        return
    parts = ["nb_resolus", "nb_clos_sans_resolution", "nb_en_cours"]
    png = charts.outcomes_png(list(rows["territoire_nom"]), [list(rows[p]) for p in parts],
                              list(ISSUES.values()))  # fmt: skip
    _picture(slide, png, 0.4, 1.1, 6.4, 5.6)
    table = [
        [typo(r.territoire_nom), num(r.nb_signalements), num(r.nb_resolus),
         num(r.nb_clos_sans_resolution), num(r.nb_en_cours), num(r.taux_pour_10000, 1)]
        for r in rows.itertuples()
    ]  # fmt: skip
    _table(slide, ["Instance", "Reçus", "Résolus", "Clos sans résolution", "En cours",
                   "Pour 10 000 hab."], table, 7.0, 1.1, 5.9,
           numeric=(1, 2, 3, 4, 5))  # fmt: skip


def _gaps(prs, bundle: ExportBundle, footer: str) -> None:
    from dashboard.exports.gpkg import communes_layer

    slide = _slide(
        prs, TITLE_GAPS, f"Source : {bundle.coverage.source} ; {SOURCE_GEOGRAPHIE}{footer}"
    )
    com = communes_layer(bundle)
    com["classe"] = com["situation"].map({s: i for i, s in enumerate(SITUATIONS)})
    png = choropleth_png(com, "classe", list(range(len(SITUATIONS))), SITUATION_COLOURS,
                         SITUATIONS, outline=bundle.territory.epci)  # fmt: skip
    _picture(slide, png, 0.4, 1.1, 5.9, 5.8)
    frame = bundle.coverage.frame
    rows = [
        [SEVERITY_LABELS.get(r.severity, r.severity), typo(r.territoire_nom), typo(r.rule_label)]
        for r in frame.itertuples()
    ]
    _table(slide, ["Gravité", "Territoire", "Règle"], rows, 6.5, 1.1, 6.4)


def _instance(prs, bundle: ExportBundle, ref: TerritoryRef, footer: str) -> None:
    content = fiche_content(bundle, ref)
    terr = bundle.territory
    sources = sorted(set(content.objectives["source"].dropna().astype(str)))
    if bundle.is_demo:  # said once at the end of the footer
        sources = sorted({src.replace(f" — {bundle.demo_note}", "") for src in sources})
    sources = "; ".join(sources)
    slide = _slide(prs, instance_title(ref.nom), f"Source : {sources or bundle.source}{footer}")
    png = overview_png(terr.communes, terr.epci, None, bundle.geometry_of(ref), size=(5.0, 5.0))
    _picture(slide, png, 0.4, 1.1, 5.6, 5.4)
    figures = " – ".join(f"{label} : {value}" for label, value, _ in content.key_figures[:3])
    _note(slide, figures, 6.2, 1.1, 6.7, 0.6)
    rows = [
        [typo(r.libelle or r.indicateur), num(r.objectif), num(r.realise), pct(r.taux),
         typo(r.statut)]
        for r in content.objectives.itertuples()
    ]  # fmt: skip
    _table(slide, ["Indicateur", "Objectif", "Réalisé", "Taux", f"Statut {au(bundle.today)}"],
           rows, 6.2, 1.9, 6.7,
           numeric=(1, 2, 3))  # fmt: skip
    n = len(content.findings)
    if n:
        labels = " ; ".join(content.findings["rule_label"].astype(str).head(3))
        _note(slide, f"{n} constat(s) de couverture : {labels}", 6.2, 5.6, 6.7, 1.0)


def _short(text: str, size: int) -> str:
    """``text`` cut at a word before ``size`` characters, with « … » when cut."""
    if len(text) <= size:
        return text
    return text[: size - 1].rsplit(" ", 1)[0] + "…"


def _programme_source(bundle: ExportBundle, footer: str) -> str:
    report = bundle.programme
    source = report.source.replace(f" — {bundle.demo_note}", "") if bundle.is_demo \
        else report.source
    return (f"Source : programme d’actions et jalons — {source} ; situation au "
            f"{fr_date(report.today)}{footer}")


def _axe(prs, bundle: ExportBundle, axe: str, footer: str) -> None:
    report = bundle.programme
    rows = report.actions[report.actions["axe"] == axe]
    slide = _slide(prs, axe_title(axe), _programme_source(bundle, footer))
    notes = [
        f"{num(r.jalons_en_retard)} jalon(s) en retard" if r.jalons_en_retard
        else "échéance dépassée" if r.echeance_depassee else ""
        for r in rows.itertuples()
    ]  # fmt: skip
    png = charts.progress_png([f"{r.code}" for r in rows.itertuples()],
                              [None if pd.isna(v) else v for v in rows["avancement"]],
                              list(rows["en_retard"]), notes)  # fmt: skip
    _picture(slide, png, 0.4, 1.1, 5.2, 5.6)
    table = [
        [typo(r.code), typo(r.intitule), typo(r.pilote), typo(r.statut_libelle),
         pct(r.avancement), num(r.jalons_en_retard)]
        for r in rows.itertuples()
    ]  # fmt: skip
    _table(slide, ["Action", "Intitulé", "Pilote", "Statut", "Avancement", "Jalons en retard"],
           table, 5.8, 1.1, 7.1, numeric=(4, 5))  # fmt: skip


def _late(prs, bundle: ExportBundle, footer: str) -> None:
    report = bundle.programme
    late = report.late_milestones().head(MAX_LATE)
    slide = _slide(prs, TITLE_LATE, _programme_source(bundle, footer))
    titles = dict(zip(report.actions["code"], report.actions["intitule"], strict=True))
    if not late.empty:
        png = charts.delays_png([_short(f"{r.action} – {r.libelle}", 48)
                                 for r in late.itertuples()],
                                [int(d) for d in late["jours_de_retard"]])  # fmt: skip
        _picture(slide, png, 0.4, 1.1, 6.2, 5.6)
    else:
        png = charts.progress_png(list(report.actions["code"]),
                                  [None if pd.isna(v) else v for v in report.actions["avancement"]],
                                  list(report.actions["en_retard"]),
                                  [""] * len(report.actions))  # fmt: skip
        _picture(slide, png, 0.4, 1.1, 6.2, 5.6)
    rows = [
        [typo(r.action), typo(titles.get(r.action, "")), typo(r.libelle),
         fr_date(r.date_prevue), num(r.jours_de_retard)]
        for r in late.itertuples()
    ]  # fmt: skip
    if not rows:
        rows = [["–", f"Aucun jalon en retard au {fr_date(report.today)}", "", "", ""]]
    _table(slide, ["Action", "Intitulé", "Jalon", "Prévu le", "Retard (jours)"], rows, 6.8,
           1.1, 6.1, numeric=(4,))  # fmt: skip


def _comments(prs, bundle: ExportBundle, footer: str) -> None:
    from dashboard.exports.presentation import commented_epci, recent_comments

    terr = bundle.territory
    rows = recent_comments(bundle)
    slide = _slide(prs, TITLE_COMMENTS, "Source : commentaires des délégués (validés par le "
                   f"comité) et du comité — {bundle.source}{footer}")  # fmt: skip
    sirens = commented_epci(bundle, rows)
    highlight = terr.epci[terr.epci["siren"].astype(str).isin(sirens)]
    _picture(slide, overview_png(terr.communes, terr.epci, None, highlight, size=(5.0, 5.0)),
             0.4, 1.1, 4.6, 5.4)  # fmt: skip
    table = []
    for r in rows.itertuples():
        text = _short(str(r.texte), COMMENT_CHARS)
        table.append([fr_date(r.date), typo(r.territoire_nom), typo(r.auteur or ""), typo(text)])
    _table(slide, ["Date", "Territoire", "Auteur", "Commentaire"], table, 5.2, 1.1, 7.7)


def _field(prs, bundle: ExportBundle, kind: str, footer: str) -> None:
    """One field of the plan: its key figures per instance and for the département."""
    from dashboard.exports.fiche import field_value
    from dashboard.exports.presentation import field_by_instance
    from dashboard.indicators.fields import FIELDS, HEADLINES

    rows, year = field_by_instance(bundle, kind)
    first = rows["territoire_type"] == "departement"  # first: the table keeps 14 rows
    rows = pd.concat([rows[first], rows[~first]], ignore_index=True)
    records = bundle.fields[bundle.fields["champ"] == kind]
    source = str(records["source"].iloc[0]) if not records.empty else bundle.source
    slide = _slide(prs, f"{FIELDS[kind].label} ({year})", f"Source : {source}{footer}")
    units = dict(zip(records["indicateur"], records["unite"], strict=False))
    heads = HEADLINES[kind]
    _picture(slide, _field_map(bundle, kind, records, year), 0.4, 1.1, 4.6, 5.4)
    table = [
        [typo(r["territoire_nom"]), pct(r["couverture"]),
         *(field_value(r[code], units.get(code, "")) for code, _short in heads)]
        for _, r in rows.iterrows()
    ]  # fmt: skip
    _table(slide, ["Territoire", "Population couverte", *(short for _c, short in heads)],
           table, 5.2, 1.1, 7.7, numeric=tuple(range(1, len(heads) + 2)))  # fmt: skip


def _field_map(bundle: ExportBundle, kind: str, records: pd.DataFrame, year: int | None) -> bytes:
    """EPCI coloured by the field's first chain rate (else its first rate per 1 000
    inhabitants) in ``year``."""
    from dashboard.indicators.fields import FIELDS
    from dashboard.maps.choropleth import classify

    field_ = FIELDS[kind]
    epci = records[(records["territoire_type"] == "epci") & (records["annee"] == year)]
    if field_.rates:
        code, label, column, fmt = field_.rates[0].code, field_.rates[0].label, "valeur", pct
    else:
        first = next(m for m in field_.measures if m.per_inhabitants)
        code, label, column = first.code, f"{first.label} pour 1 000 hab.", "pour_1000_habitants"
        fmt = num
    values = epci[epci["indicateur"] == code].set_index("territoire_code")[column]
    layer = bundle.territory.epci.copy()
    layer["valeur"] = layer["siren"].astype(str).map(values).astype(float)
    classes = classify(layer["valeur"], fmt=lambda v: fmt(v, 1) if fmt is num else fmt(v))
    return choropleth_png(layer, "valeur", classes.bins, classes.colours, classes.labels,
                          title=f"{label} ({year})", size=(5.0, 5.6))


def deck_pptx(bundle: ExportBundle, title: str = "", subtitle: str = "") -> bytes:
    """The committee deck of a bundle as PPTX bytes (16:9).

    ``title`` and ``subtitle`` replace those of the first slide (a frozen annual report
    names its year and its freezing).
    """
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    footer = f" – {bundle.demo_note.upper()}" if bundle.is_demo else ""
    title = title or deck_title(bundle)
    _title_slide(prs, bundle, title, subtitle)
    _overview(prs, bundle, footer)
    _balance(prs, bundle, footer)
    _objectives(prs, bundle, footer)
    _signals(prs, bundle, footer)
    _gaps(prs, bundle, footer)
    if programme_titles(bundle):
        for axe in bundle.programme.axes:
            _axe(prs, bundle, axe, footer)
        _late(prs, bundle, footer)
    if not bundle.comments.empty:
        _comments(prs, bundle, footer)
    for screen in field_screens(bundle):
        _field(prs, bundle, screen.code, footer)
    for ref in bundle.instance_refs():
        _instance(prs, bundle, ref, footer)
    prs.core_properties.title = typo(title)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
