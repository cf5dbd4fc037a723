"""Verify journal: start, progress with speed and time left, Cancel, and the report."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...engine.errors import Cancelled
from ..dialogs.errors import describe, error_box
from ..wording import missing_note
from .hub import VerifyHub
from .report_view import ReportView


class VerifyPanel(QWidget):
    def __init__(self, hub: VerifyHub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verifyPanel")
        self.hub = hub
        self.start_button = QPushButton("Verify journal")
        self.start_button.setObjectName("verifyStart")
        self.start_button.setToolTip("Recompute every revision hash, every block hash, the "
                                     "chain links and the digest, off the GUI thread")
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("verifyCancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(hub.cancel)
        self.with_digests = QCheckBox("Also check the saved digests")
        self.with_digests.setObjectName("verifyWithDigests")
        self.with_digests.setChecked(True)
        self.bar = QProgressBar()
        self.bar.setObjectName("verifyProgress")
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.speed = QLabel("")
        self.speed.setObjectName("verifySpeed")
        self.report_view = ReportView()
        self.report_view.ctx = hub.ctx  # its save dialogs start in the folder last used
        row = QHBoxLayout()
        row.addWidget(self.start_button)
        row.addWidget(self.cancel_button)
        row.addWidget(self.with_digests)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.bar)
        layout.addWidget(self.speed)
        # the report scrolls, so the chain view above can take most of the height
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.report_view)
        layout.addWidget(scroll, 1)
        hub.started.connect(self._started)
        hub.progressed.connect(self._progressed)
        hub.finished.connect(self._finished)
        hub.failed.connect(self._failed)

    def start(self) -> Any:
        digests = ([s.digest for s in self.hub.saved_digests()]
                   if self.with_digests.isChecked() else [])
        return self.hub.verify(digests)

    def _started(self) -> None:
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.bar.setRange(0, 0)  # busy until the first progress report gives a total
        self.speed.setText("Verifying…")
        self.report_view.set_report(None)

    def _progressed(self, reached: int, total: int, step: Any) -> None:
        # The bar follows sequence numbers (0 to the tip), so it ends full even when blocks
        # are missing from the file; the text counts the blocks actually checked.
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(reached, total))
        speed = self.hub.speed()
        left = (total - reached) / speed if speed > 0 and total > reached else 0.0
        self.speed.setText(f"{step.checked:,} blocks checked, to sequenceNo "
                           f"{max(reached - 1, 0):,} of {max(total - 1, 0):,}"
                           + missing_note(self.hub.missing)
                           + f" · {speed:,.0f} blocks/s"
                           + (f" · about {left:,.0f} s left" if left >= 1 else ""))

    def _finished(self, report: Any) -> None:
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.bar.setRange(0, max(report.block_count, 1))
        self.bar.setValue(report.block_count if not report.cancelled else self.hub.reached)
        rate = report.blocks_checked / report.elapsed_seconds if report.elapsed_seconds else 0
        self.speed.setText(f"{report.blocks_checked:,} blocks in {report.elapsed_seconds:.2f} s"
                           + (f" ({rate:,.0f} blocks/s)" if rate else "")
                           + missing_note(self.hub.missing)
                           + f" · finished {time.strftime('%H:%M:%S')}")
        try:
            saved = self.hub.saved_digests()  # to name a saved digest that disagrees
        except Exception:  # a damaged digests file: the report names the digest by value
            saved = []
        self.report_view.set_report(report, saved)

    def _failed(self, exc: BaseException) -> None:
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.bar.setRange(0, 1)
        self.speed.setText(f"<span style='color:#d0453a'>Verification stopped: "
                           f"{describe(exc)}</span>")
        if not isinstance(exc, Cancelled):  # an unexpected stop also reaches the user as a dialog
            error_box(self, "Verification stopped", exc)
