"""Shared fixtures for the exchange tests: the real QLDB block, and a local Kinesis server."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from amazon.ion import simpleion

VECTORS = Path(__file__).resolve().parents[3] / "shared" / "vectors"
STREAM_VECTOR = VECTORS / "stream-dmv-block-seq3.ion"


def _vector_file() -> Path:
    for base in (VECTORS, Path("/work/shared/vectors")):
        p = base / "stream-dmv-block-seq3.ion"
        if p.exists():
            return p
    pytest.skip("shared/vectors is not beside the repository")


@pytest.fixture(scope="session")
def qldb_stream_records() -> list[Any]:
    """The three published stream records of QLDB block 3 (see shared/vectors/README.md)."""
    return simpleion.loads(_vector_file().read_text(encoding="utf-8"), single_value=False)


@pytest.fixture(scope="session")
def qldb_block(qldb_stream_records) -> Any:
    """Block 3 rebuilt from its BLOCK_SUMMARY and the reconstructed REVISION_DETAILS."""
    from ledger_desktop.engine.streams import rebuild_blocks

    summary, _edited, reconstructed = qldb_stream_records
    (block,) = rebuild_blocks([summary, reconstructed])
    return block


@pytest.fixture(scope="session")
def kinesis_endpoint() -> Iterator[str]:
    """A real Kinesis-compatible server (moto in server mode) on 127.0.0.1, for this session."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                             "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN")}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                      AWS_DEFAULT_REGION="us-east-1")
    os.environ.pop("AWS_SESSION_TOKEN", None)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
