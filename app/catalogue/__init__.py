"""Bundled catalogue data (see data/README.md for the file format)."""

from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
