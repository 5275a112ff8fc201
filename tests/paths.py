"""Paths the tests share: the project root, the pages, the app entry point, the corpus."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "pages"
APP = ROOT / "dashboard" / "app" / "main.py"
CORPUS = ROOT / "tests" / "corpus"
