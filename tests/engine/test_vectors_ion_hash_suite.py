"""The official Ion Hash conformance suite (amazon-ion/ion-hash-test `ion_hash_tests.ion`) and
the SHA-256 digests derived from its inputs (`ion-hash-sha256-derived.json`).

Each suite case lists the calls a hasher makes; the last `digest::`/`final_digest::` of a
sequence is the hash of the whole value. Identity expectations use a hash function that returns
its input, MD5 expectations use MD5. The suite file is read with amazon.ion's pure-Python
reader (the C extension refuses its 14-annotation case); the same inputs are also loaded through
the C extension from the derived file's Ion binary, and both must give the expected bytes.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from amazon.ion import simpleion
from vectors import b64, load_json, vector_path

from ledger_desktop.engine.ion_hash import ion_hash, make_ion_hasher

IVM = b"\xe0\x01\x00\xea"


class IdentityHash:
    """A 'hash' whose digest is its input: the suite's identity hasher."""

    def __init__(self, data: bytes = b"") -> None:
        self._data = bytes(data)

    def digest(self) -> bytes:
        return self._data


identity_hash = make_ion_hasher(IdentityHash)
md5_hash = make_ion_hasher(hashlib.md5)
HASHERS = {"identity": identity_hash, "md5": md5_hash}


def _case_input(case: Any) -> Any:
    if "ion" in case:
        return case["ion"]
    raw = IVM + bytes(int(b) for b in case["10n"])
    return simpleion.loads(raw)


def _case_name(index: int, case: Any) -> str:
    if case.ion_annotations:
        return f"{index}:{case.ion_annotations[0].text}"
    if "ion" in case:
        return f"{index}:{simpleion.dumps(case['ion'], binary=False, omit_version_marker=True)[:40]}"
    return f"{index}:10n"


def _load_suite() -> list[Any]:
    text = vector_path("ion_hash_tests.ion").read_text(encoding="utf-8")
    return simpleion.load_python(io.StringIO(text), single_value=False)


SUITE = _load_suite()
DERIVED = load_json("ion-hash-sha256-derived.json")["vectors"]

EXPECTATIONS = [
    (index, algorithm, bytes(int(b) for b in steps[-1]), steps[-1].ion_annotations[0].text)
    for index, case in enumerate(SUITE)
    for algorithm, steps in case["expect"].items()
]


def test_suite_shape() -> None:
    """The suite has 167 inputs and 171 final digests (166 identity, 5 MD5), as published."""
    assert len(SUITE) == 167 == len(DERIVED)
    assert len(EXPECTATIONS) == 171
    assert sorted({a for _, a, _, _ in EXPECTATIONS}) == ["identity", "md5"]
    assert all(kind in ("digest", "final_digest") for _, _, _, kind in EXPECTATIONS)


@pytest.mark.parametrize(
    ("index", "algorithm", "expected"),
    [(i, a, e) for i, a, e, _ in EXPECTATIONS],
    ids=[f"{_case_name(i, SUITE[i])}.{a}" for i, a, _, _ in EXPECTATIONS],
)
def test_final_digest(index: int, algorithm: str, expected: bytes) -> None:
    case = SUITE[index]
    hasher = HASHERS[algorithm]
    assert hasher(_case_input(case)) == expected
    # The same input as the engine sees it: loaded by the C extension from Ion binary.
    c_value = simpleion.loads(bytes.fromhex(DERIVED[index]["ion_binary_hex"]))
    assert hasher(c_value) == expected


@pytest.mark.parametrize("index", range(len(DERIVED)),
                         ids=[f"{i}:{v['name'] or v['ion_text'][:40]}" for i, v in enumerate(DERIVED)])
def test_derived_sha256(index: int) -> None:
    vector = DERIVED[index]
    blob = bytes.fromhex(vector["ion_binary_hex"])
    expected = b64(vector["sha256_ion_hash_b64"])
    assert ion_hash(simpleion.loads(blob)) == expected
    # bare Python values where amazon.ion can keep the Ion type without a wrapper
    bare = simpleion.loads(blob, value_model=simpleion.IonPyValueModel.MAY_BE_BARE)
    assert ion_hash(bare) == expected
