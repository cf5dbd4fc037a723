"""Every action and shortcut in one place. Windows create `QAction`s from these specs.

`scope` says who handles an action: "app" (the main window) or "ledger" (the current ledger
workspace, disabled when none is open). Issue-6 style extensions add specs with `menu="verify"`.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from .icons import icon


@dataclass(frozen=True)
class ActionSpec:
    id: str
    text: str
    menu: str
    shortcut: str | QKeySequence.StandardKey | None = None
    icon: str | None = None
    tip: str = ""
    scope: str = "app"
    checkable: bool = False


SPECS: list[ActionSpec] = [
    # File
    ActionSpec("new_ledger", "&New Ledger…", "file", QKeySequence.StandardKey.New, "new",
               "Create an empty ledger file"),
    ActionSpec("open_ledger", "&Open Ledger…", "file", QKeySequence.StandardKey.Open, "open",
               "Open a ledger file"),
    ActionSpec("open_read_only", "Open Rea&d-Only…", "file", None, "open",
               "Open a ledger file to browse, verify and prove only: nothing the app does "
               "changes it (evidence keeps its digest)"),
    ActionSpec("open_sample", "Open &Sample Ledger", "file", "Ctrl+Shift+O", "sample",
               "Open the sample ledger (built on first use)"),
    ActionSpec("import_files", "&Import Files…", "file", "Ctrl+I", "import",
               "Import Ion, JSON, JSON Lines or CSV files into a table", scope="ledger"),
    ActionSpec("import_journal", "Import QLDB &Export…", "file", "Ctrl+Shift+I", "import",
               "Create a new ledger from a QLDB journal export folder"),
    ActionSpec("export_journal", "E&xport Journal…", "file", None, "export",
               "Export the journal in QLDB's S3 export layout (Ion text, Ion binary or JSON)",
               scope="ledger"),
    # Ctrl+W closes the view in front (a History, a block, a PartiQL tab), as in browsers and
    # IDEs; the whole ledger has its own binding (it closed every view of it at once).
    ActionSpec("close_view", "&Close Tab", "file", QKeySequence.StandardKey.Close, "close",
               "Close the view in front (the ledger when none is open)", scope="ledger"),
    ActionSpec("close_tab", "Close &Ledger", "file", "Ctrl+Shift+W", "close",
               "Close the current ledger tab with all its views", scope="ledger"),
    ActionSpec("quit", "&Quit", "file", QKeySequence.StandardKey.Quit, None, "Quit Ledger Desktop"),
    # Edit
    # Copy owns Ctrl+C and gives it to the focused pane (ui/copying.py): a window shortcut
    # for "Copy as Ion" took the key from every read-only text pane and grid.
    ActionSpec("copy", "&Copy", "edit", QKeySequence.StandardKey.Copy, "copy",
               "Copy the selection of the focused pane: its selected text, or the selected "
               "rows of a grid (documents, results and revisions as Ion)"),
    ActionSpec("copy_ion", "Copy as &Ion", "edit", None, "copy",
               "Copy the selected documents, results or revisions as Ion text",
               scope="ledger"),
    ActionSpec("copy_json", "Copy as &JSON", "edit", "Ctrl+Shift+C", "copy",
               "Copy the selected documents, results or revisions as JSON", scope="ledger"),
    ActionSpec("copy_csv", "Copy as C&SV", "edit", "Ctrl+Alt+C", "copy",
               "Copy the selected documents, results or revisions as CSV", scope="ledger"),
    ActionSpec("find", "&Filter Documents", "edit", QKeySequence.StandardKey.Find, "filter",
               "Filter the documents grid", scope="ledger"),
    # View
    ActionSpec("refresh", "&Refresh", "view", QKeySequence.StandardKey.Refresh, "refresh",
               "Reload tables and documents", scope="ledger"),
    ActionSpec("show_history", "Revision &History", "view", "Ctrl+H", "history",
               "Show every revision of the selected document", scope="ledger"),
    ActionSpec("show_block", "Go to &Block…", "view", "Ctrl+G", "go-block",
               "Open the block inspector at a block", scope="ledger"),
    ActionSpec("show_query", "PartiQL &Editor", "view", "Ctrl+E", "query",
               "Open the PartiQL editor", scope="ledger"),
    # Ctrl+Tab belongs to the views inside a ledger (the innermost tabs take it): the ledger
    # tabs had no key at all
    ActionSpec("next_ledger", "Ne&xt Ledger Tab", "view", "Ctrl+PgDown", None,
               "Bring the next ledger tab (or Start) to the front"),
    ActionSpec("previous_ledger", "Pre&vious Ledger Tab", "view", "Ctrl+PgUp", None,
               "Bring the previous ledger tab (or Start) to the front"),
    # Ledger
    ActionSpec("create_table", "Create &Table…", "ledger", "Ctrl+T", "add-table",
               "CREATE TABLE", scope="ledger"),
    ActionSpec("create_index", "Create &Index…", "ledger", None, "add-index",
               "CREATE INDEX on a top-level field", scope="ledger"),
    ActionSpec("drop_table", "&Drop Table", "ledger", None, "drop", "DROP TABLE",
               scope="ledger"),
    ActionSpec("undrop_table", "&Undrop Table", "ledger", None, "undrop", "UNDROP TABLE",
               scope="ledger"),
    ActionSpec("compact_ledger", "Co&mpact Ledger File…", "ledger", None, None,
               "Rewrite the file with each table stored contiguously (as SQLite's VACUUM); the "
               "journal and its digest do not change", scope="ledger"),
    # Query
    ActionSpec("run_query", "&Run", "query", "Ctrl+Return", "run",
               "Run the statement (or the selection)", scope="ledger"),
    ActionSpec("explain_query", "E&xplain", "query", "Ctrl+Shift+E", "explain",
               "Show the plan of the statement", scope="ledger"),
    ActionSpec("cancel_query", "&Cancel", "query", "Ctrl+.", "cancel",
               "Cancel the running statement", scope="ledger"),
    ActionSpec("begin_tx", "&Begin Transaction", "query", None, None,
               "Start an explicit multi-statement transaction", scope="ledger"),
    ActionSpec("commit_tx", "C&ommit", "query", "Ctrl+Shift+Return", "commit",
               "Commit the open transaction", scope="ledger"),
    ActionSpec("abort_tx", "&Abort", "query", None, "abort",
               "Abort the open transaction", scope="ledger"),
    ActionSpec("save_results", "&Save Results As…", "query", "Ctrl+Shift+S", "export",
               "Save the results as CSV, JSON Lines or Ion text", scope="ledger"),
    ActionSpec("confirm_unfiltered", "Ask Before UPDATE/DELETE Without &WHERE", "query", None,
               None, "Ask before an UPDATE or DELETE with no WHERE changes every document of "
               "a table", checkable=True),
    # Verify (ui/verify/)
    ActionSpec("show_chain", "Hash &Chain", "verify", "Ctrl+Shift+H", "journal",
               "Show the journal as a chain of blocks", scope="ledger"),
    ActionSpec("verify_journal", "&Verify Journal", "verify", "Ctrl+Shift+V", "verify",
               "Recompute every hash and check the chain links and the digest",
               scope="ledger"),
    ActionSpec("get_digest", "Get &Digest", "verify", "Ctrl+Shift+D", None,
               "Take the current digest to save it or keep it", scope="ledger"),
    ActionSpec("verify_proof", "&Proof…", "verify", None, None,
               "Prove a revision or block against a digest, or check proof files",
               scope="ledger"),
    ActionSpec("verify_files", "Verify Proof &Files…", "verify", None, None,
               "Check a revision or block and its proof against a digest, no ledger needed"),
    # Help
    ActionSpec("about", "&About Ledger Desktop", "help", None, "about",
               "Versions and licence"),
]

#: actions that write to the ledger: disabled (with the reason as tooltip) when it is read-only
WRITE_ACTIONS = ("import_files", "create_table", "create_index", "drop_table", "undrop_table",
                 "compact_ledger", "run_query", "explain_query", "begin_tx", "commit_tx",
                 "abort_tx")

MENUS: list[tuple[str, str]] = [
    ("file", "&File"), ("edit", "&Edit"), ("view", "&View"), ("ledger", "&Ledger"),
    ("query", "&Query"), ("verify", "Ve&rify"), ("help", "&Help"),
]


def spec(action_id: str) -> ActionSpec:
    for s in SPECS:
        if s.id == action_id:
            return s
    raise KeyError(action_id)


_FALLBACK_KEYS = {QKeySequence.StandardKey.Quit: ("Ctrl+Q",)}


def make_action(s: ActionSpec, parent: QWidget) -> QAction:
    action = QAction(s.text, parent)
    action.setObjectName(f"action_{s.id}")
    action.setCheckable(s.checkable)
    if s.icon:
        action.setIcon(icon(s.icon))
    if isinstance(s.shortcut, QKeySequence.StandardKey):
        # every binding of the platform (Close is Ctrl+W as well as Ctrl+F4 on Linux), not
        # only the first one a QKeySequence keeps; Quit has none without a desktop theme
        action.setShortcuts(QKeySequence.keyBindings(s.shortcut)
                            or [QKeySequence(k) for k in _FALLBACK_KEYS.get(s.shortcut, ())])
    elif s.shortcut is not None:
        action.setShortcut(QKeySequence(s.shortcut))
    if s.tip:
        action.setToolTip(s.tip)
        action.setStatusTip(s.tip)
    action.setData(s.id)
    return action
