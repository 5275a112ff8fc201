"""User text shown as text: the one escaping helper of the pages.

Streamlit renders markdown (and its own extensions: colours ``:red[…]``, icons
``:material/…:``, emoji shortcodes, LaTeX ``$…$``) in titles, captions, alerts, labels of
metrics, expanders, tabs, buttons and widgets. A name, a label, a source or a message that
comes from an imported file must never become markup there: an instance named
``Matheysine ![p](http://hôte/pixel.png)`` would make every viewer's browser fetch that
URL. :func:`plain` backslash-escapes every character that markdown or HTML could read,
so the text displays exactly as written. Dataframes, select-box options and charts show
plain text already and need no escaping; the maps escape HTML themselves
(:mod:`dashboard.maps.folium_map`).
"""

from __future__ import annotations

import re

#: Characters that open markup anywhere in a line: code, emphasis, links and images (and
#: Streamlit's ``:colour[…]`` directives), HTML and autolinks, headings, tables,
#: strikethrough, LaTeX, entities and e-mail autolinks. Each may be backslash-escaped in
#: CommonMark.
_MARKUP = re.compile(r"([\\`*_\[\]<>#|~$&@])")
#: A colon that opens or closes a shortcode (``:smile:``, ``:material/home:``, ``:red[``)
#: or starts a bare URL (``http://``), which GitHub markdown would turn into a link.
#: Streamlit loads its emoji plugin when the raw text holds ``:word:``: both colons.
_SHORTCODE = re.compile(r":(?=[A-Za-z0-9_+\-/])|(?<=[A-Za-z0-9_+\-]):")
#: What GitHub markdown links by itself, after the escapes are read (``http://``, ``www.``,
#: ``nom@domaine.fr``): an invisible word joiner (U+2060) breaks each pattern.
_AUTOLINKS = re.compile(r"(?<=:)(?=//)|(?<=\bwww)(?=\.)|(?=\\@)", re.IGNORECASE)
WORD_JOINER = "\u2060"
#: Streamlit rewrites ``:material/`` in the raw text before parsing it: break that spelling.
_MATERIAL = re.compile(r"(?<=:)material/", re.IGNORECASE)
#: What makes a list item at the start of a line (``- x``, ``+ x``, ``1. x``, ``2) x``).
_BULLET = re.compile(r"^([-+])")
_NUMBERED = re.compile(r"^(\d+)([.)])(?=\s|$)")
_SPACES = re.compile(r"\s+")


def plain(value: object) -> str:
    """``value`` as markdown that displays exactly its text, on one line.

    Addresses (``http://…``, ``www.…``, e-mails) stay text, not links: they carry an
    invisible word joiner.

    Parameters
    ----------
    value : object
        Any value (None becomes an empty string); line breaks become spaces.

    Examples
    --------
    >>> print(plain("Matheysine ![p](x/p.png) :red[a] 2021-2026"))
    Matheysine !\\[p\\](x/p.png) \\:red\\[a\\] 2021-2026
    """
    text = _SPACES.sub(" ", "" if value is None else str(value)).strip()
    text = _MARKUP.sub(r"\\\1", text)
    text = _SHORTCODE.sub(r"\\:", text)
    text = _MATERIAL.sub(r"material\\/", text)
    text = _AUTOLINKS.sub(WORD_JOINER, text)
    text = _BULLET.sub(r"\\\1", text)
    return _NUMBERED.sub(r"\1\\\2", text)
