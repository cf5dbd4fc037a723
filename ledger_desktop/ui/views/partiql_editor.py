"""A PartiQL text editor: highlighting, completion, the statement to run, and error marks."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QRegularExpression, QStringListModel, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeyEvent,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QCompleter, QPlainTextEdit, QTextEdit, QWidget

from .document_pane import mono_font
from .table_fields import ReadFn, TableFieldCache

KEYWORDS = tuple(["SELECT", "VALUE", "FROM", "WHERE", "AS", "AT", "BY", "INSERT", "INTO", "UPDATE", "SET", "REMOVE", "DELETE", "CREATE", "DROP", "UNDROP", "TABLE", "INDEX", "ON", "AND", "OR", "NOT", "IN", "IS", "NULL", "MISSING", "TRUE", "FALSE", "LIKE", "BETWEEN", "EXISTS", "ORDER", "GROUP", "LIMIT", "OFFSET", "ASC", "DESC", "JOIN", "INNER", "LEFT", "CROSS", "DISTINCT", "EXPLAIN", "HISTORY", "COUNT", "SUM", "AVG", "MIN", "MAX", "CAST", "UPPER", "LOWER", "SIZE", "COALESCE", "NULLIF", "CHAR_LENGTH", "CHARACTER_LENGTH", "SUBSTRING", "TRIM", "EXTRACT", "DATE_ADD", "DATE_DIFF", "TO_STRING", "TO_TIMESTAMP", "UTCNOW", "TXID", "REDACT_REVISION", "WITH", "TAGS", "CASE", "WHEN", "THEN", "ELSE", "END"])


# Statement text as tokens: comments and Ion literals are skipped, strings and quoted names kept
# with their quotes, so a name in a comment is never taken for the one a message means.
_TOKEN = re.compile(r"--[^\n]*|/\*.*?(?:\*/|$)|`[^`]*`?|'(?:[^']|'')*'?|\"(?:[^\"]|\"\")*\"?"
                    r"|[A-Za-z_$@][A-Za-z0-9_$]*|.", re.S)
_QUOTED_IN_MESSAGE = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"")
# `FROM Vehicle AS v`, `JOIN Person p`, `, VehicleRegistration AS r`, `UPDATE Person AS p`
_SOURCE = re.compile(r"(?:\bFROM|\bJOIN|\bUPDATE|,)\s+(\"[^\"]+\"|[A-Za-z_][A-Za-z0-9_]*)"
                     r"(?:\s+(?:AS\s+)?([A-Za-z_][A-Za-z0-9_]*))?", re.I)
_NOT_ALIASES = {w.upper() for w in KEYWORDS} | {"LET", "PIVOT", "UNPIVOT", "FULL", "RIGHT",
                                                 "OUTER", "HAVING", "UNION", "INTERSECT",
                                                 "EXCEPT"}


def _tokens(text: str) -> list[tuple[int, str]]:
    """(offset, token) of the names, strings and punctuation of a statement."""
    out = []
    for m in _TOKEN.finditer(text):
        tok = m.group(0)
        if tok.isspace() or tok.startswith(("--", "/*", "`")):
            continue
        out.append((m.start(), tok))
    return out


def _unquoted(tok: str) -> str:
    if len(tok) >= 2 and tok[0] == tok[-1] and tok[0] in "'\"":
        return tok[1:-1].replace(tok[0] * 2, tok[0])
    return tok


def refusal_position(statement: str, message: str) -> tuple[int, int]:
    """(line, column), 1-based in `statement`, to mark for a statement the ledger refused
    with a message that carries no position ("an active table named 'Vehicle' already
    exists" for CREATE TABLE, "no active table named 'Nope'" for DROP TABLE): the first
    name or string of the statement that the message quotes, else the statement's first word,
    so the refused statement is always marked on its own line."""
    tokens = _tokens(statement)
    quoted = [a or b for a, b in _QUOTED_IN_MESSAGE.findall(message)]
    at = tokens[0][0] if tokens else 0
    for want in quoted:
        hits = [o for o, t in tokens if _unquoted(t) == want] or \
            [o for o, t in tokens if _unquoted(t).casefold() == want.casefold()]
        if hits:
            at = hits[0]
            break
    line = statement.count("\n", 0, at) + 1
    return line, at - statement.rfind("\n", 0, at)


def statement_sources(statement: str) -> dict[str, str]:
    """Alias -> table of the FROM, JOIN and UPDATE sources of a statement (each table also
    stands for itself, as in `Vehicle.VIN`)."""
    # strings become '' so that 'from Person p' in a literal binds no alias
    clean = " ".join("''" if t.startswith("'") else t for _o, t in _tokens(statement))
    out: dict[str, str] = {}
    pos = 0
    # Each search resumes after the table name, not the alias: in `SELECT VIN, Make FROM
    # Vehicle AS v` the comma's match reads FROM as Make's alias, and must not use it up.
    while (m := _SOURCE.search(clean, pos)) is not None:
        pos = m.end(1)
        table = _unquoted(m.group(1))
        out.setdefault(table, table)
        alias = m.group(2)
        if alias and alias.upper() not in _NOT_ALIASES:
            out[alias] = table
    return out


class PartiQLHighlighter(QSyntaxHighlighter):
    """Keywords, strings, Ion literals in backticks, numbers, parameters and comments."""

    def __init__(self, document: QTextDocument, dark: bool = False) -> None:
        super().__init__(document)

        def fmt(color: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
            f = QTextCharFormat()
            f.setForeground(QColor(color))
            if bold:
                f.setFontWeight(QFont.Weight.Bold)
            f.setFontItalic(italic)
            return f

        blue, green, orange = ("#6aa6ff", "#7ec07e", "#e5a050") if dark else \
            ("#1f4fbf", "#1d7a2e", "#b35c00")
        purple, grey = ("#c792ea", "#8c8f94") if dark else ("#7a3db8", "#7d8590")
        words = "|".join(KEYWORDS)
        self.rules = [
            (QRegularExpression(rf"\b({words})\b",
                                QRegularExpression.PatternOption.CaseInsensitiveOption),
             fmt(blue, bold=True)),
            (QRegularExpression(r"\b\d+(\.\d*)?([eEdD][+-]?\d+)?\b"), fmt(purple)),
            (QRegularExpression(r"\?"), fmt(orange, bold=True)),
            (QRegularExpression(r"'(?:[^']|'')*'?"), fmt(green)),
            (QRegularExpression(r"`[^`]*`?"), fmt(orange)),
            (QRegularExpression(r"\"(?:[^\"]|\"\")*\"?"), fmt(purple, italic=True)),
            (QRegularExpression(r"--[^\n]*"), fmt(grey, italic=True)),
        ]
        self.comment = fmt(grey, italic=True)

    def highlightBlock(self, text: str) -> None:
        for pattern, style in self.rules:
            it = pattern.globalMatch(text)
            while it.hasNext():
                m = it.next()
                self.setFormat(m.capturedStart(), m.capturedLength(), style)
        # /* block comments */ may span lines: state 1 means "inside a comment".
        self.setCurrentBlockState(0)
        start = 0 if self.previousBlockState() == 1 else text.find("/*")
        while start >= 0:
            end = text.find("*/", start + (0 if self.previousBlockState() == 1 and start == 0
                                           else 2))
            if end < 0:
                self.setCurrentBlockState(1)
                self.setFormat(start, len(text) - start, self.comment)
                break
            self.setFormat(start, end + 2 - start, self.comment)
            start = text.find("/*", end + 2)


class PartiQLEditor(QPlainTextEdit):
    """Ctrl+Space (or typing a word) completes keywords, table names and field paths."""

    def __init__(self, parent: QWidget | None = None, dark: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("partiqlEditor")
        self.setFont(mono_font())
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 4)
        self.setPlaceholderText("SELECT * FROM Vehicle AS v WHERE v.VIN = '1N4AL11D75C109151'")
        self.highlighter = PartiQLHighlighter(self.document(), dark)
        self.words = QStringListModel(sorted(KEYWORDS), self)
        self.field_words = QStringListModel([], self)   # after a dot only fields make sense
        self.completer = QCompleter(self.words, self)
        self.completer.setWidget(self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.activated.connect(self.insert_completion)
        self._tables: list[str] = []
        self._fields: list[str] = []
        self.table_field_words = QStringListModel([], self)  # one table's, after `alias.`
        self._table_fields: TableFieldCache | None = None
        self._awaiting: str | None = None  # the word to complete once its table's fields come

    # -- completion -------------------------------------------------------------------------
    def set_names(self, tables: list[str] | None = None, fields: list[str] | None = None) -> None:
        if tables is not None:
            self._tables = sorted(set(tables))
        if fields is not None:
            self._fields = sorted(set(self._fields) | set(fields))
        self.words.setStringList(sorted(set(KEYWORDS) | set(self._tables) | set(self._fields),
                                        key=str.casefold))
        self.field_words.setStringList(sorted(self._fields, key=str.casefold))

    def set_field_source(self, read: ReadFn | None) -> None:
        """Where to read a table's field names for `alias.` completion: a ledger session's
        `read` (its reader lane). Without one, only names seen in results and grids complete."""
        self._table_fields = TableFieldCache(read, self) if read is not None else None
        if self._table_fields is not None:
            self._table_fields.loaded.connect(self._fields_loaded)

    def completions(self) -> list[str]:
        return self.words.stringList()

    def _statement_around_cursor(self) -> str:
        text = self.toPlainText()
        pos = self.textCursor().position()
        found = text.find(";", pos)
        return text[text.rfind(";", 0, pos) + 1:len(text) if found < 0 else found]

    def _table_of(self, name: str) -> str | None:
        """The table `name` stands for in the statement being edited: an alias, or a table."""
        sources = statement_sources(self._statement_around_cursor())
        table = sources.get(name)
        if table is None:
            table = next((t for a, t in sources.items() if a.casefold() == name.casefold()),
                         None)
        if table is None and name in self._tables:
            table = name
        if table is None or (self._tables and table not in self._tables):
            return None
        return table

    def _complete_table_fields(self, prefix: str) -> bool:
        """Complete `alias.path.part` from the fields of the alias's table, one level at a
        time (`r.` offers Owners, `r.Owners.` PrimaryOwner); False to fall back to the names
        seen so far, e.g. while the table's fields are still being read."""
        if self._table_fields is None:
            return False
        head, _, rest = prefix.partition(".")
        table = self._table_of(head)
        if table is None:
            return False
        names = self._table_fields.fields(table)
        if names is None:  # the first read of this table: complete when it lands
            self._awaiting = prefix
            return False
        parent, _, part = rest.rpartition(".")
        level = rest.count(".")
        want = parent.casefold() + "." if parent else ""
        words = sorted({n.rsplit(".", 1)[-1] for n in names
                        if n.count(".") == level and n.casefold().startswith(want)},
                       key=str.casefold)
        self.table_field_words.setStringList(words)
        self.completer.setModel(self.table_field_words)
        self.completer.setCompletionPrefix(part)
        return self.completer.completionCount() > 0

    def _fields_loaded(self, _table: str) -> None:
        prefix = self._awaiting
        if prefix is not None and self.hasFocus() and self._word_before_cursor() == prefix:
            self.complete(prefix)

    def _word_before_cursor(self) -> str:
        cursor = self.textCursor()
        text = cursor.block().text()[:cursor.positionInBlock()]
        m = re.search(r"[A-Za-z_][A-Za-z0-9_.]*$", text)
        return m.group(0) if m else ""

    def insert_completion(self, word: str) -> None:
        prefix = self.completer.completionPrefix()
        cursor = self.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor,
                            len(prefix))
        cursor.insertText(word)
        self.setTextCursor(cursor)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        popup = self.completer.popup()
        if popup.isVisible() and event.key() in (Qt.Key.Key_Enter, Qt.Key.Key_Return,
                                                 Qt.Key.Key_Tab, Qt.Key.Key_Escape):
            event.ignore()
            return
        forced = event.key() == Qt.Key.Key_Space and \
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if not forced:
            super().keyPressEvent(event)
        prefix = self._word_before_cursor()
        if not forced and (len(prefix) < 2 or not event.text() or
                           not (event.text().isalnum() or event.text() in "_.")):
            popup.hide()
            return
        self.complete(prefix)

    def complete(self, prefix: str) -> None:
        """Complete `prefix`, the word before the cursor. A word with dots (`v.Ma`,
        `r.Owners.Pr`, `p.`) starts with an alias: the fields of its table complete the last
        part. Until those are read (or with no alias), the longest part after a dot that
        completes to a field seen so far is completed instead (`Owners.Pr`, else `Pr`)."""
        popup = self.completer.popup()
        self._awaiting = None
        if "." in prefix and self._complete_table_fields(prefix):
            self._show_popup()  # an empty part after `alias.` lists all the fields
            return
        self.completer.setModel(self.words)
        self.completer.setCompletionPrefix(prefix)
        if self.completer.completionCount() == 0 and "." in prefix:
            self.completer.setModel(self.field_words)
            parts = prefix.split(".")
            for i in range(1, len(parts)):
                tail = ".".join(parts[i:])
                if not tail:
                    break  # nothing typed after the last dot yet
                self.completer.setCompletionPrefix(tail)
                if self.completer.completionCount():
                    break
        if self.completer.completionCount() == 0 or not self.completer.completionPrefix():
            popup.hide()
            return
        self._show_popup()

    def _show_popup(self) -> None:
        popup = self.completer.popup()
        popup.setCurrentIndex(self.completer.completionModel().index(0, 0))
        rect = self.cursorRect()
        rect.setWidth(popup.sizeHintForColumn(0) + popup.verticalScrollBar().sizeHint().width())
        self.completer.complete(rect)

    # -- what to run ------------------------------------------------------------------------
    def statement_at_cursor(self) -> tuple[str, int]:
        """The selection, else the `;`-separated statement around the cursor.

        Returns the text and its offset in the document, so an error's line and column can be
        mapped back onto the editor.
        """
        cursor = self.textCursor()
        if cursor.hasSelection():
            start = cursor.selectionStart()
            return self.toPlainText()[start:cursor.selectionEnd()], start
        text = self.toPlainText()
        pos = cursor.position()
        start = text.rfind(";", 0, pos) + 1
        found = text.find(";", pos)
        end = len(text) if found < 0 else found
        if not text[start:end].strip() and start > 0:  # cursor after a final ';'
            end = start - 1
            start = text.rfind(";", 0, end) + 1
        body = text[start:end]
        lead = len(body) - len(body.lstrip())
        return body.strip(), start + lead

    # -- errors -----------------------------------------------------------------------------
    def mark_error(self, offset: int, line: int | None, column: int | None) -> int:
        """Underline the error at (line, column) of the statement starting at `offset`;
        returns the document position marked (or -1)."""
        if line is None:
            self.clear_error()
            return -1
        doc = self.document()
        first_block = doc.findBlock(offset)
        block = doc.findBlockByNumber(first_block.blockNumber() + line - 1)
        if not block.isValid():
            self.clear_error()
            return -1
        col = max(1, column or 1) - 1
        if line == 1:
            col += offset - first_block.position()
        pos = block.position() + min(col, max(0, block.length() - 1))
        selection = QTextEdit.ExtraSelection()
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(QColor("#d0453a"))
        fmt.setBackground(QColor(208, 69, 58, 40))
        selection.format = fmt
        cursor = QTextCursor(doc)
        cursor.setPosition(pos)
        cursor.movePosition(QTextCursor.MoveOperation.EndOfWord, QTextCursor.MoveMode.KeepAnchor)
        if not cursor.hasSelection():
            cursor.movePosition(QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        line_sel = QTextEdit.ExtraSelection()
        line_fmt = QTextCharFormat()
        line_fmt.setBackground(QColor(208, 69, 58, 22))
        line_fmt.setProperty(QTextFormat.Property.FullWidthSelection, True)
        line_sel.format = line_fmt
        line_cursor = QTextCursor(block)
        line_sel.cursor = line_cursor
        self.setExtraSelections([line_sel, selection])
        move = QTextCursor(doc)
        move.setPosition(pos)
        self.setTextCursor(move)
        return pos

    def mark_refusal(self, offset: int, statement: str, message: str) -> int:
        """Mark a refused statement that has no position of its own (DDL on a missing or an
        existing table) at what its message names; returns the position marked."""
        line, column = refusal_position(statement, message)
        return self.mark_error(offset, line, column)

    def line_column(self, pos: int) -> tuple[int, int]:
        """The 1-based line and column of document position `pos`."""
        block = self.document().findBlock(pos)
        return block.blockNumber() + 1, pos - block.position() + 1

    def clear_error(self) -> None:
        self.setExtraSelections([])

    def error_marks(self) -> list[Any]:
        return self.extraSelections()
