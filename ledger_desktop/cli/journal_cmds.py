"""Ledger, journal, digest and proof commands: init, sample, info, digest, verify, compact,
get-block, get-revision, verify-proof."""

from __future__ import annotations

import base64
import json
import sqlite3
import sys
from pathlib import Path

import click
from tqdm import tqdm

from ..engine import digest_file, proofs, storage
from ..engine.cancel import CancelToken
from ..engine.errors import InputFormatError, UserError
from ..engine.ion_values import dumps_text
from ..engine.ledger import Ledger
from ..engine.limits import describe
from ..engine.new_file import default_ledger_name
from ..engine.proof_tip import check_proof_tip, tip_named_in
from .base import (
    EXIT_VERIFY_FAILED,
    ctrl_c_cancels,
    fail,
    handle_errors,
    main,
    nonblank,
    output_file,
)

LEDGER_PATH = click.Path(dir_okay=False, path_type=Path)


def _open(path: Path, read_only: bool = False) -> Ledger:
    return Ledger.open(path, read_only=read_only)


@main.command()
@click.argument("path", type=LEDGER_PATH)
@click.option("--name", callback=nonblank, help="Ledger name (default: the file name).")
@click.option("--strict", is_flag=True, help="QLDB-strict mode: QLDB's syntax and limits only.")
@handle_errors
def init(path: Path, name: str | None, strict: bool) -> None:
    """Create a new, empty ledger at PATH (refuses to overwrite a file)."""
    # The default name from the file name is never blank (`ledger init " .ledger"`).
    with Ledger.create(path, ledger_name=name or default_ledger_name(path),
                       strict=strict) as ledger:
        click.echo(f"created ledger {ledger.ledger_name!r} at {path} "
                   f"(strand {ledger.strand_id})")


@main.command()
@click.argument("path", type=LEDGER_PATH)
@handle_errors
def sample(path: Path) -> None:
    """Build QLDB's vehicle-registration tutorial ledger at PATH."""
    from ..engine.sample import build_sample

    build_sample(path)
    with _open(path) as ledger:
        click.echo(f"built the vehicle-registration sample at {path}: "
                   f"{ledger.block_count()} blocks")


@main.command()
@click.argument("path", type=LEDGER_PATH)
@handle_errors
def info(path: Path) -> None:
    """Summarise a ledger: name, strand, tip, tables, indexes, limits."""
    with _open(path, read_only=True) as ledger:
        tip = ledger.tip()
        click.echo(f"ledger:  {ledger.ledger_name}")
        click.echo(f"file:    {path}")
        click.echo(f"strand:  {ledger.strand_id}")
        version = storage.schema_version(ledger._conn)
        click.echo(f"schema:  {version}" + (
            "" if version == storage.SCHEMA_VERSION else
            f" (read as it is; opening it for writing upgrades it to {storage.SCHEMA_VERSION})"))
        click.echo(f"blocks:  {ledger.block_count()} (tip {tip.text() if tip else '-'})")
        click.echo(f"mode:    {describe(ledger.limits)}")
        for t in ledger.tables(include_inactive=True):
            n = ledger.count_documents(t.table_id)
            click.echo(f"table:   {t.name} ({t.table_id}) {t.status}, {n} documents")
            for ix in t.indexes:
                click.echo(f"  index: {ix.expr} ({ix.index_id}) {ix.status}")


@main.command()
@click.argument("path", type=LEDGER_PATH)
@click.option("--save", "save", type=click.Path(dir_okay=False, path_type=str),
              callback=output_file(), help="Also save the digest to this file (JSON; see 'Digest files' in the README). An "
                   "existing file is not replaced (it may be an earlier digest) unless --force.")
@click.option("--force", is_flag=True, help="With --save: replace an existing file.")
@handle_errors
def digest(path: Path, save: Path | None, force: bool) -> None:
    """Print the current digest (base64) and its tip address (Ion text)."""
    if save is not None:  # before anything is printed
        if Path(save).resolve() in {Path(f"{path}{x}").resolve() for x in ("", "-wal", "-shm")}:
            fail(f"{save}: that is the ledger itself; save the digest to another file")
        digest_file.check_save_target(save, force)
    # Read-only, --save too: saving writes only the digest file, so an evidence file (on
    # read-only media, or an older schema that a writer would upgrade) is left as it is.
    with _open(path, read_only=True) as ledger:
        d = ledger.digest()
    if save is not None:  # saved before it is printed: a digest on stdout is a saved one
        digest_file.write_digest(save, d, overwrite=force)
    click.echo(f"digest:           {base64.b64encode(d.digest).decode()}")
    click.echo(f"digestTipAddress: {d.tip.text()}")
    if save is not None:
        click.echo(f"saved to {save}")


@main.command()
@click.argument("path", type=LEDGER_PATH)
@click.option("--digest", "digests", multiple=True, metavar="FILE",
              help="A saved digest (ours or QLDB's GetDigest JSON) the journal must agree with. "
                   "Repeatable.")
@click.option("--chain-only", is_flag=True,
              help="Check only the hash chain and the digest its block hashes fold to, not "
                   "every revision's hash, the index storage or the stored Merkle nodes.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=str),
              callback=output_file(stdout_ok=True),
              help="Write the full report as JSON to this file ('-': to standard output, "
                   "instead of the summary).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@handle_errors
def verify(path: Path, digests: tuple[str, ...], chain_only: bool, json_out: Path | str | None,
           quiet: bool) -> None:
    """Verify the whole journal (and the index storage); exit 1 with a tamper report on failure."""
    saved = [digest_file.read_digest(d) for d in digests]
    with _open(path, read_only=True) as ledger:
        try:
            total = ledger.block_count()
            bar = tqdm(total=total, unit="block", disable=quiet or None, file=sys.stderr,
                       leave=False)

            def progress(done: int, _total: int) -> None:
                bar.update(done - bar.n)

            try:
                with ctrl_c_cancels(CancelToken()) as cancel:
                    report = ledger.verify(progress=progress, cancel=cancel, digests=saved,
                                           rehash=not chain_only)
            finally:
                bar.close()
        except sqlite3.DatabaseError as e:  # pages so damaged that the walk cannot start
            click.echo(f"VERIFICATION FAILED: the ledger file is damaged (SQLite: {e})")
            sys.exit(EXIT_VERIFY_FAILED)
    if report.cancelled:
        fail("verification cancelled (Ctrl-C or SIGTERM); nothing was changed", 130)
    if json_out == "-":
        click.echo(report.to_json())
    else:
        if json_out is not None:
            Path(json_out).write_text(report.to_json(), encoding="utf-8")
        click.echo(report.summary())
    if not report.ok:
        sys.exit(EXIT_VERIFY_FAILED)


@main.command()
@click.argument("path", type=LEDGER_PATH)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@handle_errors
def compact(path: Path, quiet: bool) -> None:
    """Rewrite the file with each table and index stored contiguously (as SQLite's VACUUM).

    Nothing in the journal changes (the digest is checked before and after); reads from disk
    get faster, e.g. chain-only verification of a file not in the OS page cache. Needs about
    the file's size free beside it and in the temporary folder; Ctrl-C or a failure at any
    point leaves the file as it was.
    """
    from ..engine.compact import compact as compact_file

    # progress comes in thousandths, an estimate (engine/compact.py)
    bar = tqdm(total=1000, disable=quiet or None, file=sys.stderr, leave=False,
               bar_format="compacting {percentage:3.0f}%|{bar}| {elapsed}")

    def progress(done: int, total: int) -> None:
        bar.update(done * 1000 // max(total, 1) - bar.n)

    try:
        with ctrl_c_cancels(CancelToken()) as cancel:
            r = compact_file(path, progress=progress, cancel=cancel)
    finally:
        bar.close()
    click.echo(f"compacted {path}: {r.bytes_before / 2**20:,.1f} MiB -> "
               f"{r.bytes_after / 2**20:,.1f} MiB in {r.seconds:.1f} s; digest unchanged")


def _print_value_and_proof(value: object, proof: list[bytes] | None, label: str,
                           as_json: bool) -> None:
    from ..engine.ion_values import ion_list

    if as_json:  # the AWS CLI's response: {"Block"|"Revision": {"IonText"}, "Proof": {…}}
        click.echo(proofs.response_json(label, value, proof))
        return
    proof_text = dumps_text(ion_list(proof)) if proof is not None else None
    click.echo(f"{label}: {dumps_text(value)}")
    if proof_text is not None:
        click.echo(f"proof: {proof_text}")


def _address_arg(text: str | None) -> str | None:
    """A block address as the AWS CLI takes it too: Ion text, the ValueHolder JSON
    `{"IonText": "{strandId:…,sequenceNo:…}"}`, or `file://PATH` holding either."""
    if text is None:
        return None
    if text.startswith("file://"):
        where = Path(text[len("file://"):])
        try:
            text = where.read_text(encoding="utf-8-sig")
        except OSError as e:
            raise InputFormatError(f"{where}: {e.strerror or e}") from None
    stripped = text.strip()
    if stripped.startswith("{") and stripped[1:].lstrip().startswith('"'):
        try:
            obj = json.loads(stripped)
        except json.JSONDecodeError:
            return text
        if isinstance(obj, dict) and len(obj) == 1 and str(next(iter(obj))).lower() == \
                "iontext" and isinstance(next(iter(obj.values())), str):
            return next(iter(obj.values()))
    return text


_JSON_HELP = "Print the AWS CLI's JSON response instead of Ion lines (verify-proof reads both)."
_ADDR_HELP = ('Ion text, e.g. {strandId:"…",sequenceNo:3}, the AWS CLI\'s {"IonText": "…"}, '
              "or file://PATH holding either.")


@main.command("get-block")
@click.argument("path", type=LEDGER_PATH)
@click.option("--block-address", required=True, metavar="ADDR", help=_ADDR_HELP)
@click.option("--digest-tip-address", metavar="ADDR",
              help="With a tip, also print the proof from the block hash to that digest.")
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
@handle_errors
def get_block(path: Path, block_address: str, digest_tip_address: str | None,
              as_json: bool) -> None:
    """Print a block as Ion text (and its proof), as QLDB's GetBlock returns it."""
    with _open(path, read_only=True) as ledger:
        block, proof = ledger.get_block(_address_arg(block_address),
                                        _address_arg(digest_tip_address))
    _print_value_and_proof(block, proof, "block", as_json)


@main.command("get-revision")
@click.argument("path", type=LEDGER_PATH)
@click.option("--document-id", required=True)
@click.option("--block-address", required=True, metavar="ADDR", help=_ADDR_HELP)
@click.option("--digest-tip-address", metavar="ADDR",
              help="With a tip, also print the proof from the revision hash to that digest.")
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
@handle_errors
def get_revision(path: Path, document_id: str, block_address: str,
                 digest_tip_address: str | None, as_json: bool) -> None:
    """Print a revision as Ion text (and its proof), as QLDB's GetRevision returns it."""
    with _open(path, read_only=True) as ledger:
        revision, proof = ledger.get_revision(document_id, _address_arg(block_address),
                                              _address_arg(digest_tip_address))
    _print_value_and_proof(revision, proof, "revision", as_json)


@main.command("verify-proof")
@click.option("--revision", "revision_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Ion text of a revision, GetRevision's JSON output (the AWS CLI's or "
                   "`ledger get-revision --json`), its Revision {\"IonText\"} alone, or "
                   "`ledger get-revision`'s output as printed.")
@click.option("--block", "block_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Ion text of a block, GetBlock's JSON output, its Block {\"IonText\"} "
                   "alone, or `ledger get-block`'s output as printed.")
@click.option("--proof", "proof_file", type=click.Path(dir_okay=False, path_type=Path),
              help="An Ion list of blobs, or its {\"IonText\"} (not needed when FILE holds "
                   "the proof).")
@click.option("--digest", "digest_arg", required=True,
              help="Base64 digest, a saved digest file, or GetDigest's JSON output.")
@handle_errors
def verify_proof(revision_file: Path | None, block_file: Path | None, proof_file: Path | None,
                 digest_arg: str) -> None:
    """Check a revision or block against a digest offline; no ledger needed."""
    if (revision_file is None) == (block_file is None):
        raise click.UsageError("give exactly one of --revision FILE or --block FILE")
    kind = "Revision" if revision_file is not None else "Block"
    source = revision_file or block_file
    assert source is not None
    if not source.exists():
        raise InputFormatError(f"{source}: no such file")
    value, proof = proofs.parse_value_input(source, kind)
    if proof_file is not None:
        proof = proofs.read_proof_file(proof_file)
    if proof is None:
        raise UserError("no proof: give --proof FILE, or a JSON response that holds a Proof")
    digest, tip = digest_file.digest_from_arg(digest_arg)
    if kind == "Revision":
        result = proofs.verify_revision(value, proof, digest)
    else:
        result = proofs.verify_block(value, proof, digest)
    # The tip address is not covered by the digest's hash, but it is what an auditor reads
    # the digest as: a value or proof it contradicts fails (proof_tip).
    proof_tip = tip_named_in(proof_file or source)
    check_proof_tip(result, kind, value, proof, tip, proof_tip)
    click.echo(f"digest: {proofs.b64(digest)} " + (
        f"at tip {tip.text()}" if tip is not None else
        "(base64 alone: its tip address is unknown and not checked; give the digest file or "
        "GetDigest JSON to check it)"))
    click.echo(result.render())
    if not result.ok:
        sys.exit(EXIT_VERIFY_FAILED)
