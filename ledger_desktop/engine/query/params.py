"""A statement's `?` parameters: how many it has, read by the engine's own lexer, and one
parameter's value from Ion text (the CLI's `--param` and the app's parameter fields)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lark.exceptions import UnexpectedInput

from ..errors import UserError
from ..ion_values import loads_all
from .parser import _lark

# A value quoted in an error: a long one (a document) would fill the line.
_ECHO_CHARS = 80

# ion-c's reasons, which name its internals, in words (others are kept as they are).
_ION_REASONS = {
    "IERR_EOF": "it ends inside a value (a bracket or quote is not closed)",
    "IERR_UNEXPECTED_EOF": "it ends inside a value (a bracket or quote is not closed)",
    "IERR_INVALID_SYNTAX": "invalid Ion syntax",
    "IERR_INVALID_TOKEN": "invalid Ion syntax",
    "IERR_INVALID_TIMESTAMP": "not a valid timestamp",
}


class ParameterError(UserError):
    """A `?` parameter's text is not one Ion value."""


def clipped(text: str) -> str:
    """`text` quoted for a message, only its start when it is long."""
    if len(text) <= _ECHO_CHARS:
        return repr(text)
    return f"{text[:_ECHO_CHARS]!r}... ({len(text):,} characters)"


def parse_param(text: str) -> Any:
    """A parameter's value: one Ion text value ("abc" is a string, 'abc' or abc a symbol,
    1.50 a decimal, 2020-01-01T a timestamp). Raises ParameterError saying why not."""
    if not text.strip():
        raise ParameterError("no value (write null for a null)")
    try:
        # Exactly as written (a timestamp of 10+ fractional digits: ion_values.ion_c_alters),
        # with a buffer as large as the text (by default a string over 16,383 bytes fails).
        values = loads_all(text)
    except Exception as e:  # amazon.ion raises several kinds for bad text
        reason = str(e).strip()
        reason = _ION_REASONS.get(reason, reason) or type(e).__name__
        raise ParameterError(f"{clipped(text)} is not Ion text: {reason}") from None
    if len(values) != 1:
        # `P-1` reads as the symbol P and the int -1: text wants quotes
        raise ParameterError(f"{clipped(text)} must be exactly one Ion value (it reads as "
                             f"{len(values):,}; a string is written \"in double quotes\")")
    return values[0]


#: tokens lexed between calls of parameter_count's `pace`
_PACE_TOKENS = 256


def parameter_count(text: str, pace: Callable[[], None] | None = None) -> int:
    """How many `?` parameters `text` has: its QMARK tokens, which the parser numbers
    (`?` has no other use in the grammar). The grammar's lexer makes strings, quoted names,
    `Ion literals` and comments tokens of their own, so a `?` in them is none; its first use
    loads the grammar's tables (up to a second without lark's cache file), so the app counts
    in a thread. An unfinished statement counts the ones before the first text no token
    matches: an unclosed quote swallows the rest, as it will when it is closed. `pace()` is
    called every few hundred tokens (it may raise to stop)."""
    if "?" not in text:  # nearly every statement, and the cost of a large one
        return 0
    n = 0
    try:
        for i, token in enumerate(_lark().lex(text)):
            if token.type == "QMARK":
                n += 1
            if pace is not None and i % _PACE_TOKENS == 0:
                pace()
    except UnexpectedInput:
        pass
    return n
