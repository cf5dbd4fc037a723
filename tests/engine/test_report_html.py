"""The verification report as a standalone HTML page."""

from __future__ import annotations

import html.parser
import json
import shutil

import pytest
from tampering import tamper_copy

from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.report_html import report_to_html
from ledger_desktop.engine.sample import build_sample


class _Collect(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            if k == "id":
                self.ids.add(v)

    def handle_data(self, data):
        self.text.append(data)


def _parse(page: str) -> _Collect:
    p = _Collect()
    p.feed(page)
    return p


@pytest.fixture(scope="module")
def sample_path(tmp_path_factory):
    return build_sample(tmp_path_factory.mktemp("html") / "s.ledger")


def test_healthy_report(sample_path):
    with Ledger.open(sample_path, read_only=True) as led:
        report = led.verify()
    page = report_to_html(report)
    parsed = _parse(page)
    text = "".join(parsed.text)
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert "VERIFIED" in text and report.digest_b64 in text
    assert "first-failure" not in parsed.ids
    # the embedded JSON is the report's own JSON
    pre = page[page.index("<pre>") + 5:page.index("</pre>")]
    assert json.loads(html.unescape(pre)) == json.loads(report.to_json())


def test_tampered_report_names_block_check_and_revisions(sample_path, tmp_path):
    bad = tmp_path / "bad.ledger"
    doc = tamper_copy(sample_path, bad, 12)
    with Ledger.open(bad, read_only=True) as led:
        report = led.verify()
    assert not report.ok
    page = report_to_html(report, title="Audit <of> bad")
    parsed = _parse(page)
    text = "".join(parsed.text)
    assert "VERIFICATION FAILED" in text and "first is at block 12" in text
    assert "first-failure" in parsed.ids and "block-12" in parsed.ids
    assert "revision hash" in text and doc in text
    assert f"{doc} v0 (Vehicle)" in text  # the table by name, beside its id
    assert "Audit <of> bad" in text and "Audit <of>" not in page  # escaped


def test_cancelled_report_says_so(sample_path):
    from ledger_desktop.engine.cancel import CancelToken

    token = CancelToken()
    token.cancel()
    with Ledger.open(sample_path, read_only=True) as led:
        report = led.verify(cancel=token)
    assert report.cancelled
    assert "cancelled" in "".join(_parse(report_to_html(report)).text)


def test_copy_is_not_needed(sample_path, tmp_path):
    # the renderer reads nothing from disk: a report of a since-deleted file still renders
    p = tmp_path / "gone.ledger"
    shutil.copy(sample_path, p)
    with Ledger.open(p, read_only=True) as led:
        report = led.verify()
    p.unlink()
    assert str(p) in html.unescape(report_to_html(report))
