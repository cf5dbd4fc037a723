"""The packaging scripts are not a package: make packaging/ importable for their tests."""

from __future__ import annotations

import sys
from pathlib import Path

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
if str(PACKAGING) not in sys.path:
    sys.path.append(str(PACKAGING))  # appended: never shadows an installed package
