"""Exchange commands: export, verify-export, import-journal, import, stream."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from tqdm import tqdm

from ..engine import digest_file
from ..engine.blocks import block_range
from ..engine.cancel import CancelToken
from ..engine.errors import Cancelled, UserError
from ..engine.ledger import Ledger
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
DIR_PATH = click.Path(file_okay=False, path_type=Path)


def _bar(total: int, unit: str, quiet: bool, **kw: object) -> tqdm:
    # disable=None: a bar only on a terminal; scripts and logs get no control characters.
    return tqdm(total=total, unit=unit, disable=True if quiet else None, file=sys.stderr,
                leave=False, **kw)


def _updater(bar: tqdm):
    def progress(done: int, total: int) -> None:
        if total and bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    return progress


@main.command("export")
@click.argument("path", type=LEDGER_PATH)
@click.argument("directory", type=DIR_PATH)
@click.option("--format", "fmt", type=click.Choice(["ion_text", "ion_binary", "json"]),
              default="ion_text", show_default=True, help="QLDB's output formats.")
@click.option("--start-time", metavar="T", help="Inclusive start (ISO 8601 UTC, e.g. "
              "2024-05-01T00:00:00Z); default: the ledger's first block.")
@click.option("--end-time", metavar="T", help="Exclusive end; default: now.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Ranges of blocks written at once in worker processes (Linux; default: the "
                   "number of CPUs, at most 8).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@handle_errors
def export_cmd(path: Path, directory: Path, fmt: str, start_time: str | None,
               end_time: str | None, jobs: int | None, quiet: bool) -> None:
    """Export the journal to DIRECTORY in QLDB's S3 export layout (manifests + data objects)."""
    from ..engine.exports import export_journal

    with Ledger.open(path, read_only=True) as ledger:
        bar = _bar(ledger.block_count(), "block", quiet)
        try:
            with ctrl_c_cancels(CancelToken()) as cancel:
                r = export_journal(ledger, directory, fmt=fmt, start_time=start_time,
                                   end_time=end_time, progress=_updater(bar), cancel=cancel,
                                   jobs=jobs or min(os.cpu_count() or 1, 8))
        finally:
            bar.close()
    rng = block_range(r.first_seq, r.last_seq) if r.first_seq is not None else "no blocks"
    click.echo(f"export {r.export_id}: {r.blocks} block(s), {r.revisions} revision(s), {rng}, "
               f"{len(r.keys)} data object(s) in {directory} ({fmt})")


@main.command("verify-export")
@click.argument("directory", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--digest", "digests", multiple=True, metavar="FILE",
              help="A saved digest (ours or QLDB's GetDigest JSON) the export must fold to. "
                   "Repeatable.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Data objects checked at once in worker processes (Linux; default: the "
                   "number of CPUs, at most 8).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@handle_errors
def verify_export_cmd(directory: Path, digests: tuple[str, ...], jobs: int | None,
                      quiet: bool) -> None:
    """Verify a journal export offline: every block, the chain across files, digests.

    Works on QLDB's exports and ours, in Ion text or binary; for JSON exports it checks what
    JSON still allows and says which checks it cannot make. Exit 1 when anything fails.
    """
    from ..engine.export_verify import verify_export

    saved = [digest_file.read_digest(d) for d in digests]
    bar = _bar(0, "block", quiet)
    try:
        with ctrl_c_cancels(CancelToken()) as cancel:
            report = verify_export(directory, saved, progress=_updater(bar), cancel=cancel,
                                   jobs=jobs or min(os.cpu_count() or 1, 8))
    finally:
        bar.close()
    for line in report.lines():
        click.echo(line)
    if not report.ok or report.digests_unchecked:  # a digest check asked for is a must
        sys.exit(EXIT_VERIFY_FAILED)


@main.command("import-journal")
@click.argument("directory", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.argument("new_ledger", type=LEDGER_PATH)
@click.option("--name", callback=nonblank,
              help="Ledger name (default: the export's, else the file name).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@handle_errors
def import_journal_cmd(directory: Path, new_ledger: Path, name: str | None, quiet: bool) -> None:
    """Build NEW_LEDGER from a journal export (QLDB's or ours), verifying every block.

    Blocks keep their addresses, ids, timestamps and hashes; a failed import leaves no file.
    """
    from ..engine.journal_import import import_journal

    bar = _bar(0, "block", quiet)
    try:
        with ctrl_c_cancels(CancelToken()) as cancel:
            r = import_journal(directory, new_ledger, ledger_name=name, progress=_updater(bar),
                               cancel=cancel)
    finally:
        bar.close()
    import base64

    click.echo(f"imported {r.blocks} block(s), {r.revisions} revision(s) into {r.path} "
               f"(ledger {r.ledger_name!r})")
    click.echo(f"digest: {base64.b64encode(r.digest.digest).decode()}")
    click.echo(f"tip:    {r.digest.tip.text()}")


@main.command("import")
@click.argument("path", type=LEDGER_PATH)
@click.argument("table")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--batch-size", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Documents per transaction (journal block); QLDB-strict ledgers cap it at 40.")
@click.option("--keep-strings", is_flag=True, help="CSV: keep every cell a string "
              "(no type inference).")
@click.option("--create-table", is_flag=True, help="Create TABLE if it does not exist.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@handle_errors
def import_cmd(path: Path, table: str, files: tuple[Path, ...], batch_size: int,
               keep_strings: bool, create_table: bool, quiet: bool) -> None:
    """Import documents from Ion, JSON, JSON Lines or CSV FILES into TABLE, all or nothing.

    Any bad record aborts the whole import (file, line, column and reason are printed) and
    nothing is committed; Ctrl-C leaves the ledger unchanged too.
    """
    from ..engine.imports import import_files

    with Ledger.open(path) as ledger:
        bar = _bar(sum(f.stat().st_size for f in files), "B", quiet, unit_scale=True)
        try:
            with ctrl_c_cancels(CancelToken()) as cancel:
                r = import_files(ledger, table, list(files), create_table=create_table,
                                 batch_size=batch_size, keep_strings=keep_strings,
                                 progress=_updater(bar), cancel=cancel)
        finally:
            bar.close()
    made = " (table created)" if r.created_table else ""
    blocks = block_range(r.first_seq, r.last_seq) if r.first_seq is not None else "no block"
    click.echo(f"imported {r.documents} document(s) into {table}{made} from {len(files)} "
               f"file(s) in {r.blocks} transaction(s), {blocks}")


def _parse_target(target: str) -> tuple[str, str]:
    kind, sep, rest = target.partition(":")
    if not sep or kind not in ("file", "kinesis") or not rest:
        raise UserError(f"--to {target!r}: expected file:DIR or kinesis:STREAM")
    return kind, rest


@main.command("stream")
@click.argument("path", type=LEDGER_PATH)
@click.option("--to", "target", required=True, metavar="file:DIR|kinesis:STREAM",
              help="Destination: a directory of record files, or a Kinesis data stream.")
@click.option("--endpoint-url", metavar="URL", help="Kinesis endpoint (e.g. a local server).")
@click.option("--region", help="AWS region for Kinesis (and the stream ARN).")
@click.option("--from-sequence", type=click.IntRange(min=0), metavar="N",
              help="Start at block N instead of the checkpoint.")
@click.option("--follow", is_flag=True, help="Keep streaming new blocks as they are committed "
              "(Ctrl-C stops; a restart resumes from the checkpoint).")
@click.option("--format", "fmt", type=click.Choice(["ion_binary", "json"]),
              default="ion_binary", show_default=True, help="Record encoding.")
@click.option("--checkpoint", type=click.Path(dir_okay=False, path_type=str),
              callback=output_file(), help="Checkpoint file (default: DIR/checkpoint.json for files, "
                   "PATH.<stream>.stream-checkpoint.json for Kinesis).")
@click.option("--poll-interval", type=click.FloatRange(min=0.01), default=0.5,
              show_default=True, help="Seconds between checks for new blocks with --follow.")
@click.option("--aggregate", is_flag=True,
              help="Kinesis: pack records KPL-style, as QLDB does with AggregationEnabled "
                   "(consumers de-aggregate, e.g. with aws_kinesis_agg or the KCL).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@handle_errors
def stream_cmd(path: Path, target: str, endpoint_url: str | None, region: str | None,
               from_sequence: int | None, follow: bool, fmt: str, checkpoint: Path | None,
               poll_interval: float, aggregate: bool, quiet: bool) -> None:
    """Stream the journal as QLDB's Kinesis records (CONTROL, BLOCK_SUMMARY, REVISION_DETAILS).

    Delivery is at least once: a checkpoint moves only after records are durable, so a
    restart resumes where the last run stopped (possibly re-sending the last batch).
    """
    from ..engine.stream_sinks import FileSink, StreamDeliveryError, stream_folder
    from ..engine.streams import Checkpoint, run_stream

    kind, dest = _parse_target(target)
    if aggregate and kind != "kinesis":
        raise click.UsageError("--aggregate packs Kinesis records; it does not apply to files")
    if checkpoint is None:
        checkpoint = (Path(dest) / "checkpoint.json" if kind == "file"
                      else Path(f"{path}.{dest}.stream-checkpoint.json"))
    arn_region = region or os.environ.get("AWS_REGION") or os.environ.get(
        "AWS_DEFAULT_REGION") or "local"
    # The ledger is opened before the folder is made: a mistyped path leaves nothing behind.
    with Ledger.open(path, read_only=True) as ledger:
        if kind == "file":
            stream_folder(dest)
        cp = Checkpoint.load(checkpoint, fmt)
        cp.next_stream()  # the files are named after the stream they hold
        if kind == "file":
            sink = FileSink(dest, cp.stream_id, fmt)
        else:
            sink = _kinesis_sink(dest, endpoint_url, region, aggregate)
        bar = _bar(0, "block", quiet)
        try:
            with ctrl_c_cancels(CancelToken()) as cancel:
                r = run_stream(ledger, sink, cp, from_sequence=from_sequence, follow=follow,
                               region=arn_region, poll_interval=poll_interval,
                               progress=_updater(bar), cancel=cancel)
        except (KeyboardInterrupt, Cancelled):
            r = None
        except StreamDeliveryError as e:
            fail(f"{e}; the checkpoint stays at block {cp.next_sequence}")
        except Exception as e:  # boto/botocore environment problems: one clear line
            if type(e).__module__.startswith(("botocore", "boto3")):
                fail(f"Kinesis: {e}")
            raise
        finally:
            bar.close()
            sink.close()
    if r is None or cancel.cancelled:
        click.echo(f"stopped; the checkpoint is at block {cp.next_sequence} ({checkpoint}); "
                   "run again to resume", err=True)
        sys.exit(130)
    state = "completed" if r.completed else "stopped"
    click.echo(f"stream {r.stream_id} {state}: {r.blocks} block(s), {r.records} record(s) "
               f"sent; next block {r.next_sequence}")


def _kinesis_sink(stream: str, endpoint_url: str | None, region: str | None,
                  aggregate: bool = False):
    from botocore.exceptions import NoRegionError

    from ..engine.stream_sinks import KinesisSink

    try:
        return KinesisSink(stream, endpoint_url=endpoint_url, region=region,
                           aggregate=aggregate)
    except NoRegionError:
        raise UserError("no AWS region: give --region or set AWS_DEFAULT_REGION") from None
