"""A verification report as one standalone HTML page an auditor can open anywhere.

No scripts, no external files: inline CSS, every value escaped. The page carries the report's
JSON (the same as `VerifyReport.to_json()`) at the end, so nothing is lost by choosing HTML.
"""

from __future__ import annotations

import html
from typing import Any

_CSS = """
body { font: 15px/1.45 -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       margin: 2em auto; max-width: 60em; padding: 0 1em; color: #1f2328; }
h1 { font-size: 1.5em; margin-bottom: .2em; }
.banner { padding: .8em 1em; border-radius: 6px; font-weight: 600; margin: 1em 0; }
.ok { background: #dafbe1; border: 1px solid #2e9d4f; color: #116329; }
.bad { background: #ffebe9; border: 1px solid #d0453a; color: #82071e; }
.cancel { background: #fff8c5; border: 1px solid #bf8700; color: #6f4e00; }
table { border-collapse: collapse; width: 100%; margin: .5em 0 1.2em; }
th, td { text-align: left; padding: .35em .6em; border-bottom: 1px solid #d0d7de;
         vertical-align: top; }
th { background: #f6f8fa; }
code, .hash { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .9em;
              word-break: break-all; }
td.pass { color: #116329; font-weight: 600; } td.fail { color: #82071e; font-weight: 600; }
details pre { background: #f6f8fa; padding: 1em; overflow: auto; font-size: .85em; }
.first { background: #fff1f0; }
footer { color: #656d76; font-size: .85em; margin-top: 2em; }
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _row(name: str, value: Any, cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f"<tr><th>{_e(name)}</th><td{klass}>{_e(value)}</td></tr>"


def report_to_html(report: Any, title: str | None = None) -> str:
    """Render a `VerifyReport` (engine/verify.py) as a complete HTML document."""
    name = title or f"Verification report: {report.ledger}"
    if report.cancelled:
        banner = ("cancel", f"Verification was cancelled after {report.blocks_checked:,} "
                  "blocks: this report proves nothing about the rest of the journal.")
    elif report.ok:
        banner = ("ok", f"VERIFIED: all {report.blocks_checked:,} blocks and "
                  f"{report.revisions_checked:,} revisions check out.")
    else:
        first = report.first_failure
        where = (f"is at block {first.seq}" if first is not None and first.seq is not None
                 else f"is the {first.check if first else 'journal'} check")
        banner = ("bad", f"VERIFICATION FAILED: {report.failure_count:,} problem(s); the first "
                  f"{where}.")
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(name)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(name)}</h1>",
        f'<div class="banner {banner[0]}" id="verdict">{_e(banner[1])}</div>',
        "<h2>Summary</h2><table>",
        _row("Ledger file", report.ledger),
        _row("Strand", report.strand_id),
        _row("Result", "passed" if report.ok else ("cancelled" if report.cancelled
                                                    else "failed"),
             "pass" if report.ok else "fail"),
        _row("Mode", report.mode),
        _row("Blocks checked", f"{report.blocks_checked:,} of {report.block_count:,}"),
        _row("Revisions checked", f"{report.revisions_checked:,}"),
        _row("Tip", report.tip),
        _row("Digest (recomputed)", report.digest_b64),
        _row("Index storage checked", "yes" if report.index_storage_checked else "no"),
        _row("Started (UTC)", report.started),
        _row("Elapsed", f"{report.elapsed_seconds:.3f} s"),
        "</table>",
    ]
    first = report.first_failure
    if first is not None:
        parts += ['<h2 id="first-failure">First failure</h2><table class="first">',
                  _row("Block", first.seq if first.seq is not None else "(ledger-wide)"),
                  _row("Check", first.check), _row("What failed", first.message), "</table>"]
        if first.revisions:
            parts += ["<h3>Revisions in that block (affected)</h3>",
                      "<table><tr><th>Document</th><th>Version</th><th>Table</th>"
                      "<th>Index in block</th></tr>"]
            parts += [f"<tr><td><code>{_e(r.document_id)}</code></td><td>{_e(r.version)}</td>"
                      f"<td>{_e(r.table_name or '')} <code>{_e(r.table_id)}</code></td>"
                      f"<td>{_e(r.index)}</td></tr>"
                      for r in first.revisions]
            parts.append("</table>")
    if report.failures:
        shown = len(report.failures)
        more = report.failure_count - shown
        parts += [f"<h2>All failures ({report.failure_count:,})</h2>",
                  "<table><tr><th>Block</th><th>Check</th><th>Message</th>"
                  "<th>Revisions</th></tr>"]
        for f in report.failures:
            anchor = f' id="block-{f.seq}"' if f.seq is not None else ""
            revs = ", ".join(r.label() for r in f.revisions[:10])
            if len(f.revisions) > 10:
                revs += f", … ({len(f.revisions) - 10} more)"
            parts.append(f"<tr{anchor}><td>{_e(f.seq if f.seq is not None else '—')}</td>"
                         f"<td>{_e(f.check)}</td><td>{_e(f.message)}</td>"
                         f"<td><code>{_e(revs)}</code></td></tr>")
        parts.append("</table>")
        if more > 0:
            parts.append(f"<p>{more:,} further failures were counted but not listed.</p>")
        if report.failed_blocks:
            listed = ", ".join(str(s) for s in report.failed_blocks[:200])
            if len(report.failed_blocks) > 200:
                listed += ", …"
            parts.append(f"<p>Failed blocks: <code>{_e(listed)}</code></p>")
    if report.digest_checks:
        parts += ["<h2>Saved digests checked</h2>",
                  "<table><tr><th>Digest</th><th>Tip</th><th>Result</th><th>Detail</th></tr>"]
        for dc in report.digest_checks:
            cls = "pass" if dc.ok else "fail"
            parts.append(f'<tr><td class="hash">{_e(dc.digest_b64)}</td><td><code>{_e(dc.tip)}'
                         f'</code></td><td class="{cls}">{"agrees" if dc.ok else "DISAGREES"}'
                         f"</td><td>{_e(dc.message)}</td></tr>")
        parts.append("</table>")
    if report.notes:
        parts.append("<h2>Notes</h2><ul>")
        parts += [f"<li>{_e(n)}</li>" for n in report.notes]
        parts.append("</ul>")
    parts += ["<h2>Machine-readable report</h2>",
              f"<details><summary>JSON</summary><pre>{_e(report.to_json())}</pre></details>",
              "<footer>Made by Ledger Desktop. Every hash was recomputed from the ledger file "
              "at the time shown above.</footer>", "</body></html>"]
    return "\n".join(parts) + "\n"
