"""`--digest` arguments a person may paste (docs/reliability.md 94)."""

from __future__ import annotations

import base64

import pytest

from ledger_desktop.engine.digest_file import digest_from_arg
from ledger_desktop.engine.errors import InputFormatError

RAW = bytes(range(200, 232))
B64 = base64.b64encode(RAW).decode()


def test_padded_and_unpadded_base64_are_the_same_digest():
    assert B64.endswith("=")
    assert digest_from_arg(B64)[0] == RAW
    assert digest_from_arg(B64.rstrip("="))[0] == RAW  # was "no such digest file"


def test_hex_is_named_as_hex():
    with pytest.raises(InputFormatError, match="hex; QLDB digests are base64"):
        digest_from_arg(RAW.hex())


def test_a_missing_file_is_still_a_missing_file():
    with pytest.raises(InputFormatError, match="no such digest file"):
        digest_from_arg("saved/digest.json")
