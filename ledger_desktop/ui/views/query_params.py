"""The PartiQL view's parameters: one Ion value field per `?` of the statement to run (?1,
?2…), shown only when it has some.

The `?` are counted by the engine's own lexer (engine/query/params.py), so one in a string,
a quoted name, an `Ion literal` or a comment is none. Lexing runs in a thread: the grammar's
tables can take a second to load the first time, and a large statement as long to lex.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QLineEdit, QScrollArea, QWidget

from ...engine.query.params import ParameterError, clipped, parameter_count, parse_param
from ..gui_delivery import expect
from ..models.background_sort import Pacer, Stale

#: after the last keystroke or cursor move, the statement is counted this much later
COUNT_DELAY_MS = 200
#: fields on one row (label and value each); more rows scroll past ROWS_SHOWN
PER_ROW = 3
ROWS_SHOWN = 3
#: a value longer than this is cut in the Messages tab
_SHOWN_CHARS = 80
_INVALID = "QLineEdit { border: 1px solid #d0453a; }"
_TIP = ("{name}: the value of the statement's {ordinal} ?, as Ion text: \"text\" is a string "
        "('text' a symbol), 5 an int, 1.50 a decimal, 2020-01-01T a timestamp, {{a: 1}} a "
        "struct, [1, 2] a list, null a null. Enter runs the statement; Tab goes to the next.")


class ParamValueError(Exception):
    """A parameter field's text is not one Ion value; says which (?2) and why."""

    def __init__(self, index: int, reason: str) -> None:
        self.index = index  # 0-based
        super().__init__(f"?{index + 1} has {reason}" if reason.startswith("no value")
                         else f"?{index + 1}: {reason}")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _count_in_thread(text: str, latest: list[str], report: Callable[[Any], None]) -> None:
    """Count `text`'s parameters in a thread and report (text, count), or (text, None) once
    `latest[0]` is another statement. The thread reaches no Qt object (gui_delivery)."""

    def work() -> None:
        try:
            n: int | None = parameter_count(text, Pacer(lambda: latest[0] is not text))
        except Stale:
            n = None
        except Exception:  # not expected: no fields, and running it says what is wrong
            n = 0
        report((text, n))

    threading.Thread(target=work, name="count-params", daemon=True).start()


class ParamStrip(QScrollArea):
    """The fields; `schedule()` after each edit or cursor move recounts `statement()`."""

    run_requested = Signal()   # Enter in a field
    counted = Signal(int)      # the statement to run was counted (tests wait on it)

    def __init__(self, statement: Callable[[], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("queryParams")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        self._grid = QGridLayout(inner)
        self._grid.setContentsMargins(0, 2, 0, 2)
        self._grid.setHorizontalSpacing(6)
        for c in range(PER_ROW):
            self._grid.setColumnStretch(2 * c + 1, 1)
        self.setWidget(inner)
        self._statement = statement
        # Fields are kept when the count drops, hidden, with what was typed in them: a `?`
        # deleted and typed again gets its value back.
        self.fields: list[QLineEdit] = []
        self._labels: list[QLabel] = []
        self.count = 0
        self._wanted: str | None = None    # the statement whose count is wanted
        self._counted: str | None = None   # the statement `count` is of
        self._latest = [""]                # _wanted, for a counting thread to look at
        self._counting = False             # a thread counts (one at a time)
        self._then: Callable[[], Any] | None = None  # runs once `_wanted` is counted
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COUNT_DELAY_MS)
        self._timer.timeout.connect(lambda: self.recount(self._statement()))
        self.hide()

    # -- counting ---------------------------------------------------------------------------
    def schedule(self) -> None:
        """The statement to run may have changed: count it once typing pauses."""
        self._timer.start()

    def is_counted(self, text: str) -> bool:
        return text == self._counted

    def recount(self, text: str) -> None:
        """Count `text`'s parameters: at once when it has no `?` at all, else in a thread."""
        self._timer.stop()
        if text == self._wanted:
            return
        self._wanted = text
        self._latest[0] = text
        if "?" not in text:  # nearly every statement, a large one too: nothing to lex
            self._set_count(text, 0)
        elif not self._counting:
            self._start(text)

    def when_counted(self, then: Callable[[], Any]) -> None:
        """Call `then` once the statement last asked for is counted (Run before it was)."""
        self._then = then

    def _start(self, text: str) -> None:
        self._counting = True
        _count_in_thread(text, self._latest, expect(self, lambda r: self._arrived(*r)))

    def _arrived(self, text: str, n: int | None) -> None:
        self._counting = False
        if n is not None and text == self._wanted:
            self._set_count(text, n)
            then, self._then = self._then, None
            if then is not None:
                then()
        elif self._wanted is not None and not self.is_counted(self._wanted):
            self._start(self._wanted)  # typed on while that one was counted

    def _set_count(self, text: str, n: int) -> None:
        self._counted = text
        if n != self.count:
            self._show(n)
        self.counted.emit(n)

    # -- the fields -------------------------------------------------------------------------
    def _show(self, n: int) -> None:
        while len(self.fields) < n:
            self._add_field(len(self.fields))
        for i, (label, field) in enumerate(zip(self._labels, self.fields, strict=True)):
            label.setVisible(i < n)
            field.setVisible(i < n)
        self.count = n
        rows = min(ROWS_SHOWN, (n + PER_ROW - 1) // PER_ROW)
        if rows:
            spacing = self._grid.verticalSpacing()
            m = self._grid.contentsMargins()
            self.setFixedHeight(rows * self.fields[0].sizeHint().height()
                                + (rows - 1) * spacing + m.top() + m.bottom())
        self.setVisible(n > 0)

    def _add_field(self, i: int) -> None:
        name = f"?{i + 1}"
        field = QLineEdit()
        field.setObjectName(f"queryParam{i + 1}")
        field.setPlaceholderText('Ion, e.g. "P-1"' if i == 0 else "Ion value")
        field.setToolTip(_TIP.format(name=name, ordinal=_ordinal(i + 1)))
        field.setClearButtonEnabled(True)
        field.returnPressed.connect(self.run_requested)
        field.textEdited.connect(lambda _t, f=field: self._mark(f, None))
        label = QLabel(name)
        label.setBuddy(field)
        row, col = divmod(i, PER_ROW)
        self._grid.addWidget(label, row, 2 * col)
        self._grid.addWidget(field, row, 2 * col + 1)
        if self.fields:
            QWidget.setTabOrder(self.fields[-1], field)  # ?1, ?2… whatever the grid's order
        self.fields.append(field)
        self._labels.append(label)

    def texts(self) -> list[str]:
        return [f.text() for f in self.fields[:self.count]]

    def values(self) -> tuple[Any, ...]:
        """The parameters' values, read as `ledger query --param` reads them. Raises
        ParamValueError naming the first field that is not one Ion value (and marks it)."""
        out = []
        for i, field in enumerate(self.fields[:self.count]):
            try:
                out.append(parse_param(field.text()))
            except ParameterError as e:
                error = ParamValueError(i, str(e))
                self._mark(field, str(error))
                raise error from None
            self._mark(field, None)
        return tuple(out)

    def _mark(self, field: QLineEdit, error: str | None) -> None:
        field.setStyleSheet(_INVALID if error else "")
        tip = _TIP.format(name=field.objectName().replace("queryParam", "?"),
                          ordinal=_ordinal(self.fields.index(field) + 1))
        field.setToolTip(f"{error}\n\n{tip}" if error else tip)

    def focus(self, index: int) -> None:
        field = self.fields[index]
        field.setFocus()
        field.selectAll()
        self.ensureWidgetVisible(field)

    def described(self) -> str:
        """The values as typed, for the Messages tab: `?1 = "P-1", ?2 = 5` (a long one cut)."""
        return ", ".join(f"?{i + 1} = {t if len(t) <= _SHOWN_CHARS else clipped(t)}"
                         for i, t in enumerate(self.texts()))
