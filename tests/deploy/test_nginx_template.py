"""The nginx template forwards the browser's Host and address on every proxied location.

nginx hands ``proxy_set_header`` down to a location only when that location sets none: a
location that sets ``Connection`` alone would send Host « territoires » and no
``X-Forwarded-For``, and the app could not tell who is connected (the local mode then
serves everyone as a *lecteur*; behind a real proxy the address is lost)."""

from __future__ import annotations

import re

from tests.paths import ROOT

TEMPLATE = ROOT / "deploy" / "nginx-territoires.conf.template"
REQUIRED = ("Host $http_host", "X-Forwarded-For $proxy_add_x_forwarded_for",
            "X-Forwarded-Proto $scheme")  # fmt: skip


def _locations(text: str) -> dict[str, str]:
    return {m.group(1).strip(): m.group(2)
            for m in re.finditer(r"^\s*location\s+([^{\n]+)\{([^}]*)\}", text, re.M)}  # fmt: skip


def test_every_proxied_location_forwards_host_and_client():
    locations = _locations(TEMPLATE.read_text(encoding="utf-8"))
    assert {"/", "/_stcore/stream", "/_stcore/upload_file"} <= set(locations)
    for name, body in locations.items():
        if "proxy_pass" not in body:
            continue
        sets = re.findall(r"proxy_set_header\s+([^;]+);", body)
        if not sets:
            continue  # inherits the server level's headers
        for header in REQUIRED:
            assert header in [" ".join(s.split()) for s in sets], (name, header)
