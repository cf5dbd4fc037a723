"""Block categories of the chain view, their colours and legend names (one home for them).

A block's *state* comes from verification; its *category* is what is drawn. When many blocks
share a pixel, the pixel shows the most severe category among them, so one failed block in a
million stays visible when the whole journal is on screen.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

# Verification states (ChainModel.state)
UNCHECKED, VERIFIED, AFTER_BREAK, FAILED = 0, 1, 2, 3

# Drawn categories, least to most severe (aggregation takes the maximum). A missing block (no
# row with its sequence number in the file) is the most severe: it is never drawn as verified.
CAT_VERIFIED, CAT_UNCHECKED, CAT_REDACTION, CAT_AFTER_BREAK, CAT_FAILED, CAT_MISSING = \
    0, 1, 2, 3, 4, 5

COLORS: dict[int, QColor] = {
    CAT_VERIFIED: QColor("#2e9d4f"),
    CAT_UNCHECKED: QColor("#8c959f"),
    CAT_REDACTION: QColor("#8250df"),
    CAT_AFTER_BREAK: QColor("#e08a1e"),
    CAT_FAILED: QColor("#d0453a"),
    CAT_MISSING: QColor("#b0127a"),
}

NAMES: dict[int, str] = {
    CAT_VERIFIED: "verified",
    CAT_UNCHECKED: "not yet checked",
    CAT_REDACTION: "redaction present",
    CAT_AFTER_BREAK: "after a break (unprovable)",
    CAT_FAILED: "failed",
    CAT_MISSING: "missing from the journal",
}

HIGHLIGHT = QColor("#1f6feb")
SELECTION = QColor("#0b3d91")
LINK = QColor("#6e7781")
