"""The PartiQL editor view: run a statement or the selection with its `?` parameters, cancel,
see results as a grid, as Ion and as a plan; history; explicit multi-statement transactions."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from amazon.ion.core import IonType
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...engine.diff import ion_type, is_null
from ...engine.errors import QueryError, ReadOnlyError, UserError
from ...engine.ids import is_id
from ..actions import WRITE_ACTIONS, spec
from ..busy import TaskFeedback
from ..column_fit import ColumnFitter
from ..copying import COPY_AS, copy_values, row_menu, selected_rows
from ..dialogs.errors import describe, error_box
from ..dialogs.open_transaction import ask_before_close, uncommitted, unrun_draft
from ..elided_label import ElidedLabel
from ..icons import icon
from ..ion_pretty import is_small, pretty_lines
from ..ion_text_job import PREFIX_CHARS, SYNC_NODES, IonText, prefix_text, write_in_thread
from ..keyboard import enter_activates, tab_leaves
from ..models.background_sort import release_in_thread
from ..models.values import Shape, ValueRole, ValuesModel, values_shape
from ..statement_kind import UnfilteredChange, counted, unfiltered_change
from ..theme import is_dark
from ..wording import READ_ONLY_NOTE, READ_ONLY_REFUSAL, count, outcome
from .document_pane import mono_font
from .partiql_editor import PartiQLEditor, refusal_position
from .query_params import ParamStrip, ParamValueError
from .query_toolbar import QueryToolbar

if TYPE_CHECKING:
    from .workspace import LedgerWorkspace


# Values the Ion tab shows of a result (the grid shows them all, lazily).
ION_TAB_VALUES = 1_000
# The statement-relative position the engine appends to some refusals (query/plan.py).
_POSITION = re.compile(r"\s*\(line (\d+), column (\d+)\)\s*$")


class TxState:
    """The open explicit transaction. Touched only on the writer lane's thread."""

    def __init__(self) -> None:
        self.tx: Any = None
        self.statements = 0
        self.recorded: Any = None  # the block the last auto-commit statement committed


class Params(NamedTuple):
    """A statement's parameter values, and how the user wrote them (for the Messages tab)."""

    values: tuple[Any, ...] = ()
    described: str = ""


def _given(described: str) -> str:
    return f"  with {described}\n" if described else ""


def ion_stream_lines(values: list[Any]) -> Iterator[str]:
    """The values as an Ion text stream, each written pretty after the one before."""
    for value in values:
        yield from pretty_lines(value)


def _id_text(value: Any) -> str | None:
    """`value` if it is a string shaped as a document id (22 Base62 characters)."""
    if ion_type(value) != IonType.STRING or is_null(value):
        return None
    text = str(value)
    return text if is_id(text) else None


def row_refs(value: Any, cell: Any = None) -> tuple[str | None, int | None]:
    """The document id and block number a result row carries, if any.

    The id, first found first: the clicked `cell` when it holds an id; `metadata.id` (a
    committed-view or history() row); `documentId` (what INSERT, UPDATE and DELETE return);
    the row's only id-shaped top-level string. A `BY vid` variable is found by its value, not
    by its name: the projection may rename it (`SELECT vid AS id`), return it bare (`SELECT
    VALUE vid`), or join two tables each with a BY variable, and a History tab rerun or a
    statement with parameters would all need the compiler's naming rules to map the statement
    text to the result's columns. An id shape can be a coincidence (a 22-character code), so
    the view asks the ledger whether the id names a document before opening it
    (`QueryView.open_document`). The block: `blockAddress.sequenceNo`."""
    def field(v: Any, name: str) -> Any:
        return v[name] if ion_type(v) == IonType.STRUCT and not is_null(v) and name in v \
            else None

    doc_id = _id_text(cell) or _id_text(field(field(value, "metadata"), "id")) \
        or _id_text(field(value, "documentId"))
    if doc_id is None:
        if ion_type(value) == IonType.STRUCT and not is_null(value):
            ids = {t for _name, v in value.items() if (t := _id_text(v)) is not None}
            doc_id = ids.pop() if len(ids) == 1 else None
        else:
            doc_id = _id_text(value)  # SELECT VALUE vid
    seq = field(field(value, "blockAddress"), "sequenceNo")
    return doc_id, int(seq) if ion_type(seq) == IonType.INT and not is_null(seq) else None


def result_values(result: Any) -> list[Any]:
    values = getattr(result, "values", result)
    if values is None:
        return []
    if isinstance(values, list | tuple):
        return list(values)
    try:
        return list(values)
    except TypeError:
        return [values]


def run_statement(ledger: Any, state: TxState, text: str, cancel: Any, *params: Any) -> Any:
    """Runs on the writer lane; a cancel interrupts it there (LedgerSession.write). `params`
    are the values of the statement's `?`, in order."""
    cancel.check()
    if state.tx is not None:
        result = state.tx.execute(text, *params)
        state.statements += 1
    else:
        # `ledger.execute`, keeping the address of the block it commits: every statement,
        # a SELECT's too, is recorded in the journal, and the status line says where
        with ledger.transaction() as tx:
            result = tx.execute(text, *params)
        state.recorded = tx.block_address
    return result


class QueryView(QWidget):
    finished = Signal(object)   # the result (tests and the workspace listen)
    errored = Signal(object)

    def __init__(self, workspace: LedgerWorkspace, key: Any = None) -> None:
        super().__init__()
        self.key = key  # None for the first PartiQL tab, 2, 3... for more
        self.setObjectName("queryView")
        self.setWindowIcon(icon("query"))
        self.workspace = workspace
        self.settings = workspace.ctx.settings
        self.state = TxState()
        self.tx_open = False
        self.task: Any = None
        self._offset = 0
        # Set by shutdown(): tasks end after their tab closed (a cancel takes effect at the
        # statement's next step, an abort is queued) and must not reach its deleted widgets.
        self.closed = False
        self._beginning = False   # a BEGIN is queued: closing must abort what it opens
        self._save_task: Any = None
        # The editor's whole text when a statement of it last ran (or it came from History):
        # other text is a draft, which closing asks about before discarding.
        self._ran_text: str | None = None
        # (text, offset, change, parameters) of an UPDATE/DELETE without WHERE waiting for the
        # question
        self._unconfirmed: tuple[str, int, UnfilteredChange, Params] | None = None

        self.editor = PartiQLEditor(dark=is_dark())
        self.setFocusProxy(self.editor)  # the view in front takes the focus (keyboard.py)
        self.editor.set_names(tables=[t.name for t in workspace.tables],
                              fields=sorted(workspace.known_fields))
        # `alias.` completes the fields of the alias's table, read on the reader lane
        self.editor.set_field_source(workspace.session.read)
        # One value field per `?` of the statement to run, recounted as the text or the
        # cursor (which statement runs) changes; Enter in a field runs.
        self.params = ParamStrip(lambda: self.editor.statement_at_cursor()[0])
        self.editor.textChanged.connect(self.params.schedule)
        self.editor.cursorPositionChanged.connect(self.params.schedule)
        self.params.run_requested.connect(lambda: self.run())
        toolbar = QueryToolbar(self.trigger)
        self.actions_: dict[str, Any] = toolbar.actions_
        self.tx_label = QLabel("Auto-commit: each statement is its own transaction")
        self.tx_label.setObjectName("txLabel")

        self.model = ValuesModel(self)
        self.grid = QTableView()
        self.grid.setObjectName("resultsGrid")
        self.grid.setModel(self.model)
        # Results keep the statement's order (ORDER BY) until the user clicks a header.
        self.grid.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.grid.setSortingEnabled(True)
        self.grid.setAlternatingRowColors(True)
        self.grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # the documents grid's menu: copy the selected rows, open a row's document or block
        self.grid.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.grid.customContextMenuRequested.connect(self._context_menu)
        self.grid.doubleClicked.connect(self._double_clicked)
        enter_activates(self.grid, self._double_clicked)
        tab_leaves(self.grid)
        # Fit columns to a sample of rows: Qt's default looks at 1,000 rows per column,
        # 85 ms of the GUI thread for a 60,000-value result.
        self.grid.horizontalHeader().setResizeContentsPrecision(64)
        self._fitter = ColumnFitter(self.grid, 280)
        self.ion_text = self._text("resultsIon")
        self.plan_text = self._text("resultsPlan")
        self.messages = self._text("resultsMessages")
        self.results = QTabWidget()
        self.results.setObjectName("resultsTabs")
        self.results.addTab(self.grid, "Results")
        self.results.addTab(self.ion_text, "Ion")
        self.results.addTab(self.plan_text, "Plan")
        self.results.addTab(self.messages, "Messages")
        # (the first ION_TAB_VALUES values, how many there are): the Ion tab's text, written
        # when the tab is shown; never the whole result, which only the model holds
        self._ion_values: tuple[list[Any], int] | None = None
        self._ion_job: threading.Event | None = None  # set: the thread writing it stops
        self._ion_generation = 0                       # which result a thread's text is of
        self.results.currentChanged.connect(lambda _i: self._show_ion())
        self.status = ElidedLabel("")  # an error message can be longer than the window
        self.status.setObjectName("queryStatus")
        self.model.sorting_changed.connect(self._sorting_changed)

        self.history = QListWidget()
        self.history.setObjectName("queryHistory")
        self.history.itemActivated.connect(self._history_activated)
        self.history.setToolTip("Executed statements; double-click to edit one again")
        self._fill_history()

        editor_box = QWidget()
        eb = QVBoxLayout(editor_box)
        eb.setContentsMargins(0, 0, 0, 0)
        eb.addWidget(self.editor, 1)
        eb.addWidget(self.params)
        main = QSplitter(Qt.Orientation.Vertical)
        main.addWidget(editor_box)
        main.addWidget(self.results)
        main.setSizes([260, 420])
        side = QWidget()
        sl = QVBoxLayout(side)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(QLabel("<b>History</b>"))
        sl.addWidget(self.history, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(main)
        split.addWidget(side)
        split.setSizes([900, 260])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        # Across the whole view, History's width included: beside the editor it had ~470 px
        # of an 800-pixel window.
        layout.addWidget(toolbar)
        layout.addWidget(split, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.tx_label)
        layout.addLayout(bottom)
        self._update_buttons()
        self.read_only_changed()

    def _text(self, name: str) -> QPlainTextEdit:
        text = QPlainTextEdit()
        text.setObjectName(name)
        text.setReadOnly(True)
        text.setFont(mono_font())
        # Column-aligned text: the caret under a failing statement is placed with spaces, and
        # a wrapped line put it under the wrong character (a scroll bar instead).
        text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        return text

    def title(self) -> str:
        return "PartiQL" if self.key is None else f"PartiQL {self.key}"

    # -- history ----------------------------------------------------------------------------
    def _fill_history(self) -> None:
        self.history.clear()
        for statement in self.settings.query_history():
            item = QListWidgetItem(" ".join(statement.split()))
            item.setData(Qt.ItemDataRole.UserRole, statement)
            item.setToolTip(statement)
            self.history.addItem(item)

    def _history_activated(self, item: QListWidgetItem) -> None:
        self.editor.setPlainText(str(item.data(Qt.ItemDataRole.UserRole)))
        self._ran_text = self.editor.toPlainText()  # it ran before: History keeps it
        self.editor.setFocus()

    @property
    def has_draft(self) -> bool:
        """The editor holds text changed since a statement of it last ran: closing loses it."""
        text = self.editor.toPlainText()
        return bool(text.strip()) and text != self._ran_text

    # -- running ----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.task is not None

    def run(self, explain: bool = False) -> Any:
        """Run the selection or the statement at the cursor on the writer lane."""
        if self.running:
            return None
        if self.workspace.read_only:
            # one line where statement errors are said (the actions are disabled as well)
            self.status.setText(f"Not run: {READ_ONLY_REFUSAL}")
            return None
        text, offset = self.editor.statement_at_cursor()
        if not text.strip():
            self.status.setText("Nothing to run")
            return None
        self.params.recount(text)
        if not self.params.is_counted(text):  # counted in a thread: run once it is
            self.params.when_counted(lambda: None if self.closed else self.run(explain))
            self.status.setText("Counting the statement's ? parameters…")
            return None
        try:
            params = self.params.values()
        except ParamValueError as e:  # nothing runs: the field says what is wrong
            self.status.setText(f"Not run: {e}")
            self.params.focus(e.index)
            return None
        if explain and not text.lstrip().lower().startswith("explain"):
            text = "EXPLAIN " + text
            offset -= len("EXPLAIN ")
        self._ran_text = self.editor.toPlainText()
        return self._submit(text, offset, explain, confirmed=False,
                            params=Params(params, self.params.described()))

    def _submit(self, text: str, offset: int, explain: bool, confirmed: bool,
                params: Params | None = None) -> Any:
        params = params or Params()
        self._offset = offset
        self.editor.clear_error()
        state = self.state
        started = time.monotonic()
        shaped: list[tuple[list[Any], Shape]] = []
        recorded: list[Any] = []
        # An auto-commit UPDATE/DELETE without WHERE commits at once: the lane finds out with
        # the engine's parser (and counts the table) before running it, and the user is asked.
        # In an open transaction nothing commits before Commit, which Abort can undo.
        check = (not confirmed and not self.tx_open
                 and self.settings.confirm_unfiltered_change())

        def work(ledger: Any, _p: Any, cancel: Any) -> Any:
            if check and state.tx is None:
                change = unfiltered_change(text)
                if change is not None and (change := counted(ledger, change)) is not None:
                    return change  # nothing ran: the GUI thread asks first
            state.recorded = None
            result = run_statement(ledger, state, text, cancel, *params.values)
            recorded.append(state.recorded)
            # The grid's columns are found here, on the lane: over 60,000 values that took
            # 90 ms, a stall of the GUI thread when _done did it.
            # A failure here must not turn a committed statement into a failed one: the GUI
            # thread then finds the columns itself.
            try:
                values = result_values(result)
                shaped.append((values, values_shape(values)))
            except Exception:
                shaped.clear()
            return result

        task = self.workspace.session.write(work, "run statement")
        self.task = task
        TaskFeedback(task, self, "Running the statement…", dialog=False)  # busy cursor only
        self.status.setText("Running…")
        task.succeeded.connect(self._while_open(lambda result: self._unconfirmed_change(
            text, offset, result, params) if isinstance(result, UnfilteredChange) else self._done(
            text, result, started, explain, shaped[0] if shaped else None,
            recorded[0] if recorded else None, params.described)))
        task.failed.connect(self._while_open(lambda exc: self._failed(
            text, exc, task.details, params.described)))
        task.cancelled.connect(self._while_open(
            lambda: self.status.setText("Cancelled; nothing was committed")))
        task.finished.connect(self._while_open(self._finished))
        self._update_buttons()
        return task

    def _while_open(self, slot: Callable[..., Any]) -> Callable[..., None]:
        """`slot` for a task's signal, doing nothing once the tab is closed: its widgets are
        deleted by then (a RuntimeError), and nobody is looking."""

        def call(*args: Any) -> None:
            if not self.closed:
                slot(*args)

        return call

    def _finished(self) -> None:
        self.task = None
        self._update_buttons()
        if self._unconfirmed is not None:
            self._ask_unfiltered(*self._unconfirmed)

    def _unconfirmed_change(self, text: str, offset: int, change: UnfilteredChange,
                            params: Params) -> None:
        self._unconfirmed = (text, offset, change, params)  # asked once the task has ended

    def _ask_unfiltered(self, text: str, offset: int, change: UnfilteredChange,
                        params: Params) -> None:
        """Ask before an UPDATE/DELETE without WHERE commits (window-modal, not a nested
        event loop); "don't ask again" is Query > Ask Before UPDATE/DELETE Without WHERE."""
        self._unconfirmed = None
        docs = count(change.documents or 0, "document")
        if change.kind == "DELETE":
            what = (f"deletes all {docs} of {change.table}" if change.documents != 1
                    else f"deletes the only document of {change.table}")
            after = ("The journal keeps their revisions, but a deletion cannot be undone: "
                     "documents inserted again get new ids.")
        else:
            what = (f"changes all {docs} of {change.table}" if change.documents != 1
                    else f"changes the only document of {change.table}")
            after = "The journal keeps the old revisions; each document gets a new one."
        box = QMessageBox(QMessageBox.Icon.Warning, f"{change.kind} Without WHERE",
                          f"This {change.kind} has no WHERE clause: it {what}, and it commits "
                          f"at once.\n\n{after}",
                          QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel,
                          self)
        box.setObjectName("confirmUnfilteredBox")
        box.button(QMessageBox.StandardButton.Ok).setText(
            f"{change.kind.title()} {docs.replace('document', 'Document')}")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        # parented: PySide does not give the box ownership, and a collected wrapper deleted it
        box.setCheckBox(QCheckBox("Don't ask again", box))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)

        def answered(_result: int) -> None:
            if self.closed:
                return
            if box.clickedButton() is not box.button(QMessageBox.StandardButton.Ok):
                self.status.setText(f"Not run: the {change.kind} without WHERE was cancelled; "
                                    "nothing was committed")
                return
            if box.checkBox().isChecked():
                self.settings.set_confirm_unfiltered_change(False)
                self.workspace.actions_changed.emit()  # the Query menu's check mark
            self._submit(text, offset, explain=False, confirmed=True, params=params)

        box.finished.connect(answered)
        box.open()

    def _show_ion(self) -> None:
        """Write the Ion tab's text once the tab is shown: a small result at once, a larger
        one in a paced thread (1,000 values took 470 ms of the GUI thread), and at most its
        first PREFIX_CHARS."""
        if self._ion_values is None or self.results.currentWidget() is not self.ion_text:
            return
        (kept, total), self._ion_values = self._ion_values, None
        kept = kept[:ION_TAB_VALUES]
        generation, shown = self._ion_generation, len(kept)

        def arrived(text: IonText) -> None:
            if generation == self._ion_generation and not self.closed:
                self._ion_job = None
                self._ion_written(text, shown, total)

        if is_small(kept, SYNC_NODES):
            arrived(prefix_text(kept, PREFIX_CHARS, lines_of=ion_stream_lines))
            return
        self.ion_text.setPlainText("Writing the Ion text…")
        self._ion_job = write_in_thread(self.ion_text, kept, PREFIX_CHARS, arrived,
                                        lines_of=ion_stream_lines)

    def _ion_written(self, text: IonText, shown: int, total: int) -> None:
        note = ""
        if not text.complete:
            note = (f"\n// … the text goes on (the first {PREFIX_CHARS // 1000:,} KB are "
                    f"shown): Query > Save Results As… writes all {total:,} values\n")
        elif total > shown:
            note = (f"\n// … and {total - shown:,} more values: "
                    "Query > Save Results As… writes them all\n")
        self.ion_text.setPlainText(text.text + note)

    def _stop_ion(self) -> None:
        """The Ion tab's text in the writing is no longer wanted (a new result, the tab
        closes)."""
        if self._ion_job is not None:
            self._ion_job.set()
            self._ion_job = None
        self._ion_generation += 1

    def _set_values(self, values: list[Any], shape: Shape | None = None) -> None:
        """Show `values` in the grid and (when shown) the Ion tab. The rows they replace are
        freed in a thread, as a documents grid's are: dropping a 50,000-value result on the
        GUI thread held it for 0.2 s."""
        old = self.model.values
        self.model.set_values(values, shape=shape)
        if old is not self.model.values:
            release_in_thread(old)
        del old
        # Only what the tab shows: a second list of the whole result kept every value alive
        # after the view closed, for a full collection to walk and free (0.6 s).
        self._ion_values = (values[:ION_TAB_VALUES], len(values)) if values else None
        self._stop_ion()
        self.ion_text.clear()
        self._show_ion()

    def _sorting_changed(self) -> None:
        """"sorting…" after the status while a large result is ordered in a thread."""
        text = self.status.text()
        if self.model.sorting:
            if not text.endswith("  ·  sorting…"):
                self.status.setText(text + "  ·  sorting…")
        elif text.endswith("  ·  sorting…"):
            self.status.setText(text[:-len("  ·  sorting…")])

    def _done(self, text: str, result: Any, started: float, explain: bool,
              shaped: tuple[list[Any], Shape] | None = None, recorded: Any = None,
              given: str = "") -> None:
        elapsed = (time.monotonic() - started) * 1000
        values, shape = shaped if shaped is not None else (result_values(result), None)
        self.settings.add_query(text)
        self._fill_history()
        self.grid.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        # The Ion tab is written when it is shown, and at most ION_TAB_VALUES values: writing a
        # 15,625-row result as Ion text here held the GUI thread for 1.9 s.
        self._set_values(values, shape)
        self._fitter.reset()  # a slice at a time: SELECT * of 2,000 fields took seconds
        self._fitter.fit(self.model.columnCount())
        plan = getattr(result, "plan", None) or None
        if plan is not None:
            self.plan_text.setPlainText(plan if isinstance(plan, str) else
                                        "\n".join(str(step) for step in plan))
        kind = getattr(result, "kind", "") or ""
        examined = getattr(result, "documents_examined", None)
        self.workspace.known_fields.update(self.model.field_names)
        self.editor.set_names(fields=self.model.field_names)
        where = f" in the open transaction ({self.state.statements} statements)" \
            if self.tx_open else ""
        message = f"{outcome(kind, text, len(values))} in {elapsed:,.0f} ms{where}" + \
                  (f" · {count(examined, 'document')} examined" if examined else "") + \
                  (f" · recorded as block {recorded.seq:,}" if recorded is not None else "")
        self.messages.appendPlainText(f"> {text}\n{_given(given)}{message}\n")
        self.status.setText(message)
        self.results.setCurrentWidget(self.plan_text if explain and plan is not None
                                      else self.grid)
        # Views refresh through the session's `changed`, once, and only when this committed
        # something (a SELECT or a statement in the open transaction did not).
        self.finished.emit(result)

    def _failed(self, text: str, exc: Any, details: str, given: str = "") -> None:
        # the last statement's results go: Save Results As saved them as if they were this one's
        self._set_values([])
        self.messages.appendPlainText(f"> {text}\n{_given(given)}error: {describe(exc)}\n")
        self.errored.emit(exc)
        if isinstance(exc, ReadOnlyError):
            # the engine's words name its Python API; say what the app can do instead
            self.status.setText(f"Not run: {READ_ONLY_REFUSAL}")
        elif isinstance(exc, QueryError):
            self._say_error(exc.message, exc.line, exc.column)
        elif isinstance(exc, UserError):
            # a statement the ledger refused (no such table, a conflict, a limit): said where
            # the other statement errors are, not in a dialog with a traceback; a position
            # the engine puts in the message is marked like a QueryError's
            m = _POSITION.search(describe(exc))
            if m is not None:
                self._say_error(describe(exc)[:m.start()], int(m.group(1)), int(m.group(2)))
            else:  # DDL on a missing or existing table: marked at the name it quotes
                self._say_error(describe(exc), *refusal_position(text, describe(exc)))
        else:
            self.status.setText(f"Error: {describe(exc)}")
            error_box(self, "The statement failed", exc, details)

    def _say_error(self, message: str, line: int | None, column: int | None) -> None:
        """Underline (line, column) of the statement that ran and name it as the editor counts
        (in a multi-statement editor the statement's line 1 may be the editor's line 2)."""
        pos = self.editor.mark_error(self._offset, line, column)
        where = ""
        if pos >= 0:
            eline, ecol = self.editor.line_column(pos)
            where = f" (line {eline}, column {ecol})"
        elif line is not None:
            where = f" (line {line}, column {column})"
        self.status.setText(f"Error{where}: {message}")
        self.results.setCurrentWidget(self.messages)

    def cancel(self) -> None:
        if self.task is None:
            return
        self.task.cancel()  # the statement stops at its next SQLite step (engine.statement_cancel)
        self.status.setText("Cancelling…")

    # -- explicit transactions --------------------------------------------------------------
    def begin(self) -> Any:
        state = self.state

        def begin(ledger: Any, _p: Any, _c: Any) -> None:
            state.tx = ledger.begin()
            state.statements = 0

        task = self.workspace.session.write(begin, "begin transaction")
        self._beginning = True
        task.succeeded.connect(self._while_open(lambda _r: self._set_tx(
            True, "Transaction open: statements run in it until Commit or Abort")))
        task.failed.connect(self._while_open(
            lambda e: error_box(self, "Cannot begin a transaction", e)))
        task.finished.connect(self._while_open(self._began))
        return task

    def _began(self) -> None:
        self._beginning = False

    def end(self, commit: bool) -> Any:
        state = self.state

        def finish(_ledger: Any, _p: Any, _c: Any) -> tuple[int, Any]:
            tx, state.tx = state.tx, None
            n = state.statements
            address = None
            if tx is not None:
                if commit:
                    address = tx.commit()
                else:
                    tx.abort()
            return n, address

        task = self.workspace.session.write(finish, "commit" if commit else "abort")
        task.succeeded.connect(self._while_open(lambda r: self._ended(commit, *r)))
        task.failed.connect(self._while_open(lambda e: (
            self._set_tx(False, "Transaction failed; nothing was committed"),
            error_box(self, "Commit failed", e, task.details))))
        return task

    def _ended(self, commit: bool, n: int, address: Any = None) -> None:
        # a commit refreshes the views through the session's `changed`
        block = f" · recorded as block {address.seq:,}" if address is not None else ""
        self._set_tx(False, f"Committed {n} statement(s) as one block{block}" if commit
                     else f"Aborted: {n} statement(s) discarded")

    def _set_tx(self, open_: bool, message: str) -> None:
        self.tx_open = open_
        self.tx_label.setText(message if open_ else
                              "Auto-commit: each statement is its own transaction")
        self.status.setText(message)
        self._update_buttons()

    def _update_buttons(self) -> None:
        a = self.actions_
        a["run_query"].setEnabled(not self.running)
        a["explain_query"].setEnabled(not self.running)
        a["cancel_query"].setEnabled(self.running)
        a["begin_tx"].setEnabled(not self.tx_open and not self.running)
        a["commit_tx"].setEnabled(self.tx_open and not self.running)
        a["abort_tx"].setEnabled(self.tx_open and not self.running)
        a["save_results"].setEnabled(not self.running and self.model.rowCount() > 0)
        if self.workspace.read_only:
            for action_id in WRITE_ACTIONS:
                if action_id in a:
                    a[action_id].setEnabled(False)
        self.workspace.actions_changed.emit()

    def read_only_changed(self) -> None:
        """The ledger is (now known to be) read-only: its buttons say why they are off."""
        if not self.workspace.read_only:
            return
        for action_id in WRITE_ACTIONS:
            if action_id in self.actions_:
                action = self.actions_[action_id]
                action.setToolTip(f"{spec(action_id).text.replace('&', '')} — {READ_ONLY_NOTE}")
        self.tx_label.setText(READ_ONLY_NOTE[0].upper() + READ_ONLY_NOTE[1:])
        self._update_buttons()

    def update_actions(self, actions: dict[str, Any]) -> None:
        for action_id, own in self.actions_.items():
            actions[action_id].setEnabled(own.isEnabled())

    def trigger(self, action_id: str) -> bool:
        handlers = {"run_query": self.run, "explain_query": lambda: self.run(explain=True),
                    "cancel_query": self.cancel, "begin_tx": self.begin,
                    "commit_tx": lambda: self.end(True), "abort_tx": lambda: self.end(False),
                    "save_results": self.save_results}
        if action_id in handlers:
            handlers[action_id]()
            return True
        if action_id in COPY_AS:
            self.copy_results(COPY_AS[action_id])
            return True
        return False

    # -- copying (copying.py) ---------------------------------------------------------------
    def copy_results(self, fmt: str) -> str:
        """The selected result rows on the clipboard as Ion, JSON or CSV (the grid's columns),
        as the documents grid copies its documents."""
        values = [self.model.values[r] for r in selected_rows(self.grid)
                  if r < len(self.model.values)]
        return copy_values(self, values, fmt, self.model.csv_columns(), self.status.setText,
                           "result")

    def copy_grid(self, grid: QAbstractItemView) -> bool:
        if grid is not self.grid:
            return False
        self.copy_results("ion")
        return True

    def can_copy_rows(self) -> bool:
        return self.model.rowCount() > 0

    def _refs_at(self, index: Any) -> tuple[str | None, int | None]:
        if not index.isValid() or index.row() >= len(self.model.values):
            return None, None
        return row_refs(self.model.values[index.row()], self.model.data(index, ValueRole))

    def _context_menu(self, pos: Any) -> Any:
        doc_id, seq = self._refs_at(self.grid.indexAt(pos))
        return row_menu(
            self.grid, pos, self.copy_results,
            (lambda: self.open_document(doc_id)) if doc_id else None,
            (lambda: self.workspace.open_block(seq)) if seq is not None else None)

    def _double_clicked(self, index: Any) -> None:
        """A row's document's History, else its block (the grid is not editable: a double
        click did nothing)."""
        doc_id, seq = self._refs_at(index)
        if doc_id:
            self.open_document(doc_id)
        elif seq is not None:
            self.workspace.open_block(seq)

    def open_document(self, doc_id: str) -> Any:
        """History of `doc_id` once the read lane says it names a document: a value only
        shaped like an id, or the id an INSERT in the open transaction made, has no history
        to show yet."""
        task = self.workspace.session.read(lambda ledger, _p, _c: ledger.is_document(doc_id),
                                           "find document")

        def found(is_document: bool) -> None:
            if is_document:
                self.workspace.open_history(doc_id)
            else:
                self.status.setText(f"No committed document has the id {doc_id}")

        task.succeeded.connect(self._while_open(found))
        task.failed.connect(self._while_open(lambda e: self.status.setText(
            f"Cannot look up {doc_id}: {describe(e)}")))
        return task

    # -- saving results ---------------------------------------------------------------------
    _SAVE_FILTERS = {"CSV (*.csv)": "csv", "JSON Lines (*.jsonl *.json *.ndjson)": "json",
                     "Ion text (*.ion)": "ion"}

    def save_results(self) -> Any:
        """Ask where, then write the results off the GUI thread (all or nothing)."""
        from PySide6.QtWidgets import QFileDialog

        if not self.model.values:
            self.status.setText("No results to save")
            return None
        start = str(Path(self.settings.last_dir()) / "results.csv")
        path, chosen = QFileDialog.getSaveFileName(self, "Save Results", start,
                                                   ";;".join(self._SAVE_FILTERS))
        if not path:
            return None
        self.settings.set_last_dir(str(Path(path).parent))
        return self.save_results_to(path, self._format_of(path, chosen))

    def _format_of(self, path: str, chosen: str = "") -> str:
        from ...engine.query.formatting import FORMAT_OF_SUFFIX

        return FORMAT_OF_SUFFIX.get(Path(path).suffix.lower()) or \
            self._SAVE_FILTERS.get(chosen, "csv")

    def save_results_to(self, path: str | Path, fmt: str) -> Any:
        from ...engine.query.formatting import write_values

        values, target = list(self.model.values), Path(path)
        task = self.workspace.session.read(
            lambda _ledger, progress, cancel: write_values(values, target, fmt, progress,
                                                           cancel), "save results")
        TaskFeedback(task, self, f"Saving {len(values):,} results to {target.name}…")
        self._save_task = task
        task.succeeded.connect(self._while_open(lambda n: self.status.setText(
            f"Saved {n:,} value{'s' if n != 1 else ''} to {target}")))
        task.cancelled.connect(self._while_open(lambda: self.status.setText(
            f"Saving cancelled; {target.name} was not written")))
        task.failed.connect(self._while_open(lambda e: error_box(
            self, "Saving the results failed", e, task.details)))
        task.finished.connect(self._while_open(self._saved))
        return task

    def _saved(self) -> None:
        self._save_task = None

    # -- closing ----------------------------------------------------------------------------
    def confirm_close(self) -> bool:
        """Closing the tab aborts its open transaction and discards a never-run draft: the
        question closing the ledger asks (none when the window runs unattended,
        `--quit-after`). True: close."""
        if not (self.tx_open or self.has_draft) or getattr(self.window(), "unattended", False):
            return True
        tx = uncommitted(self.title(), self.state.statements) if self.tx_open else ""
        draft = unrun_draft(self.workspace.title(), self.title()) if self.has_draft else ""
        return ask_before_close(self, tx, draft, "this PartiQL tab")

    def shutdown(self) -> None:
        """The tab closes: stop its work and abort its transaction. The tasks end later, and
        none of their slots runs any more (`closed`)."""
        self.model.abandon_sort()
        if self.task is not None:
            self.task.cancel()
        if self._save_task is not None:
            self._save_task.cancel()  # its progress dialog goes with the tab; nothing is written
        if self.tx_open or self._beginning:
            self.end(False)  # after the BEGIN, if queued: the lane runs tasks in order
            self.tx_open = False
        self.closed = True
        self._ion_values = None
        self._stop_ion()
