"""Charts of the exports, drawn by matplotlib as PNG (no network), French number formats."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no display on servers
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter

from dashboard.formatting import num, pct, typo
from dashboard.maps.static import BLEU_FRANCE, ROUGE_MARIANNE

# Names come from user files: « $…$ » is text, never mathtext (a malformed one would raise).
matplotlib.rcParams["text.parse_math"] = False

GRIS = "#c9ccd6"
VERT = "#18753c"
ORANGE = "#c3992a"


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, facecolor="white", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _open_frame(ax) -> None:
    """No top and right frame lines: the bars and the axes are enough."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _footer(fig, source: str) -> None:
    if source:
        fig.text(0.01, -0.02, typo(f"Source : {source}"), fontsize=6.5, color="#555555",
                 ha="left", va="top", wrap=True)  # fmt: skip


def achievement_png(
    labels: Sequence[str],
    objectif: Sequence[float],
    realise: Sequence[float],
    attendu: Sequence[float | None],
    title: str = "",
    source: str = "",
    size: tuple[float, float] = (7.0, 3.2),
) -> bytes:
    """Horizontal bars: achievement rate (realised / objective) per row, with the share
    expected to date as a red tick, and « réalisé / objectif » written at the bar's end.

    Rows with no objective are drawn empty and marked « sans objectif ».
    """
    n = len(labels)
    fig, ax = plt.subplots(figsize=(size[0], max(size[1], 0.45 * n + 1.0)))
    y = np.arange(n)[::-1]
    rates = [r / o if o else np.nan for r, o in zip(realise, objectif, strict=True)]
    ax.barh(y, [1.0] * n, color="#eef0f4", height=0.6)
    ax.barh(y, np.nan_to_num(np.minimum(rates, 1.25)), color=BLEU_FRANCE, height=0.6)
    for yi, exp, o in zip(y, attendu, objectif, strict=True):
        if exp is not None and o:
            ax.plot([exp / o] * 2, [yi - 0.38, yi + 0.38], color=ROUGE_MARIANNE, lw=2)
    for yi, r, o, rate in zip(y, realise, objectif, rates, strict=True):
        text = f"{num(r)} / {num(o)} ({pct(rate)})" if o else f"{num(r)} – sans objectif"
        ax.text(1.27, yi, text, va="center", fontsize=8)
    ax.set_yticks(y, [typo(lab) for lab in labels], fontsize=8)
    ax.set_xlim(0, 1.25)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: pct(v)))
    ax.tick_params(axis="x", labelsize=7)
    _open_frame(ax)
    ax.plot([], [], color=ROUGE_MARIANNE, lw=2, label="attendu à date")
    ax.legend(loc="lower right", fontsize=7, frameon=False, bbox_to_anchor=(1.0, 1.0))
    if title:
        ax.set_title(typo(title), fontsize=10, loc="left")
    _footer(fig, source)
    return _png(fig)


def shares_png(
    labels: Sequence[str],
    part_besoin: Sequence[float],
    part_realise: Sequence[float],
    title: str = "",
    source: str = "",
    size: tuple[float, float] = (7.0, 4.0),
) -> bytes:
    """Paired horizontal bars: each territory's share of the need against its share of
    the achievement (territorial balance)."""
    n = len(labels)
    fig, ax = plt.subplots(figsize=(size[0], max(size[1], 0.38 * n + 1.0)))
    y = np.arange(n)[::-1]
    need = np.nan_to_num(np.asarray(part_besoin, dtype=float))
    done = np.nan_to_num(np.asarray(part_realise, dtype=float))
    ax.barh(y + 0.2, need, height=0.38, color=GRIS, label="part du besoin (population)")
    ax.barh(y - 0.2, done, height=0.38, color=BLEU_FRANCE, label="part du réalisé")
    ax.set_yticks(y, [typo(lab) for lab in labels], fontsize=8)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: pct(v)))
    ax.tick_params(axis="x", labelsize=7)
    _open_frame(ax)
    ax.legend(loc="lower right", fontsize=7, frameon=False)
    if title:
        ax.set_title(typo(title), fontsize=10, loc="left")
    _footer(fig, source)
    return _png(fig)


def yearly_png(
    years: Sequence[int],
    values: Sequence[float],
    title: str = "",
    source: str = "",
    colour: str = BLEU_FRANCE,
    size: tuple[float, float] = (6.0, 2.6),
) -> bytes:
    """Vertical bars of a count per year (operations, signals), labelled French-style."""
    fig, ax = plt.subplots(figsize=size)
    xs = [str(y) for y in years]
    bars = ax.bar(xs, values, color=colour)
    for bar, v in zip(bars, values, strict=True):
        ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height(), num(v), ha="center",
                va="bottom", fontsize=7)  # fmt: skip
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: num(v)))
    ax.tick_params(labelsize=7)
    _open_frame(ax)
    if title:
        ax.set_title(typo(title), fontsize=10, loc="left")
    _footer(fig, source)
    return _png(fig)


#: Colours of the outcomes of a signalement (résolu, clos sans résolution, en cours).
ISSUE_COLOURS = (VERT, "#f08a24", "#8d9cc4")


def outcomes_png(
    labels: Sequence[str],
    counts: Sequence[Sequence[float]],
    legend: Sequence[str],
    title: str = "",
    source: str = "",
    size: tuple[float, float] = (7.0, 3.2),
) -> bytes:
    """Stacked horizontal bars: per row, the signals resolved, closed without resolution
    and open (``counts`` gives one sequence per part, in the order of ``legend``)."""
    n = len(labels)
    fig, ax = plt.subplots(figsize=(size[0], max(size[1], 0.42 * n + 1.0)))
    y = np.arange(n)[::-1]
    left = np.zeros(n)
    for values, name, colour in zip(counts, legend, ISSUE_COLOURS, strict=False):
        values = np.nan_to_num(np.asarray(values, dtype=float))
        ax.barh(y, values, left=left, height=0.6, color=colour, label=typo(name))
        left = left + values
    for yi, total in zip(y, left, strict=True):
        ax.text(total, yi, f" {num(total)}", va="center", fontsize=7)
    ax.set_yticks(y, [typo(lab) for lab in labels], fontsize=8)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: num(v)))
    ax.tick_params(axis="x", labelsize=7)
    _open_frame(ax)
    ax.legend(loc="lower right", fontsize=7, frameon=False, bbox_to_anchor=(1.0, 1.0), ncol=3)
    if title:
        ax.set_title(typo(title), fontsize=10, loc="left")
    _footer(fig, source)
    return _png(fig)


def progress_png(
    labels: Sequence[str],
    avancement: Sequence[float | None],
    late: Sequence[bool],
    notes: Sequence[str],
    source: str = "",
    size: tuple[float, float] = (6.0, 3.0),
) -> bytes:
    """Horizontal bars of each action's progress (share of milestones reached), red for a
    late action, with a short note at the bar's end (« 1 jalon en retard »)."""
    n = max(1, len(labels))
    fig, ax = plt.subplots(figsize=(size[0], max(size[1], 0.55 * n + 1.0)))
    y = np.arange(len(labels))[::-1]
    values = [np.nan if v is None else float(v) for v in avancement]
    colours = [ROUGE_MARIANNE if is_late else BLEU_FRANCE for is_late in late]
    ax.barh(y, [1.0] * len(labels), color="#eef0f4", height=0.6)
    ax.barh(y, np.nan_to_num(values), color=colours, height=0.6)
    for yi, v, note in zip(y, values, notes, strict=True):
        text = "sans jalon" if np.isnan(v) else pct(v)
        ax.text(1.03, yi, typo(f"{text}{' – ' + note if note else ''}"), va="center",
                fontsize=8)  # fmt: skip
    ax.set_yticks(y, [typo(lab) for lab in labels], fontsize=8)
    ax.set_xlim(0, 1.0)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: pct(v)))
    ax.tick_params(axis="x", labelsize=7)
    _open_frame(ax)
    ax.set_title(typo("Avancement : part des jalons réalisés"), fontsize=9, loc="left")
    _footer(fig, source)
    return _png(fig)


def delays_png(
    labels: Sequence[str], days: Sequence[int], source: str = "",
    size: tuple[float, float] = (6.0, 3.0),
) -> bytes:
    """Horizontal bars of the delay (days) of each late milestone."""
    n = max(1, len(labels))
    fig, ax = plt.subplots(figsize=(size[0], max(size[1], 0.45 * n + 1.0)))
    y = np.arange(len(labels))[::-1]
    ax.barh(y, list(days), color=ROUGE_MARIANNE, height=0.6)
    for yi, d in zip(y, days, strict=True):
        ax.text(d, yi, f" {num(d)} j", va="center", fontsize=8)
    ax.set_yticks(y, [typo(lab) for lab in labels], fontsize=8)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: num(v)))
    ax.tick_params(axis="x", labelsize=7)
    _open_frame(ax)
    ax.set_title(typo("Retard des jalons, en jours"), fontsize=9, loc="left")
    _footer(fig, source)
    return _png(fig)
