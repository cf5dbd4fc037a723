"""A block deleted from the file is drawn, counted and described as missing, never verified
(probe 2026-11-29b, item 1): block states follow sequence numbers, not the count of blocks
checked, and counts and progress agree."""

from __future__ import annotations

import sqlite3
from types import SimpleNamespace

import numpy as np

from ledger_desktop.engine.chain_data import ChainArrays
from ledger_desktop.engine.verify import VerifyFailure, missing_message
from ledger_desktop.ui.chain import palette as P
from ledger_desktop.ui.chain.model import ChainModel

from .conftest import open_workspace


def _report(checked: int, tip: int, gap: tuple[int, int]) -> SimpleNamespace:
    a, b = gap
    failure = VerifyFailure(b + 1, "chain link", missing_message(a, b))
    return SimpleNamespace(blocks_checked=checked, block_count=tip + 1, cancelled=False,
                           tip=f'{{strandId:"s",sequenceNo:{tip}}}', failures=[failure],
                           failed_blocks=[b + 1], failure_count=1, digest_checks=[])


def test_a_report_alone_marks_the_missing_block_and_checks_the_last_block():
    model = ChainModel()
    model.set_block_count(23)  # block_count() is the tip + 1; only 22 blocks are present
    model.apply_report(_report(22, 22, (9, 9)))
    cats = model.categories()
    assert cats[9] == P.CAT_MISSING  # it was green: blocks_checked was used as a sequence bound
    assert cats[8] == P.CAT_VERIFIED and cats[10] == P.CAT_FAILED
    assert cats[22] != P.CAT_UNCHECKED  # the tip was checked (it stayed "not yet checked")
    counts = model.counts()
    assert counts[P.CAT_MISSING] == 1 and counts[P.CAT_VERIFIED] == 9
    assert model.missing_ranges() == [(9, 9)]


def test_the_columns_say_which_blocks_are_missing_before_any_verification():
    model = ChainModel()
    seqs = np.array([s for s in range(12) if s not in (4, 5)], np.int64)
    n = len(seqs)
    model.set_arrays(ChainArrays(seqs, seqs, np.ones(n, np.int32), np.zeros(n, np.uint8)))
    assert model.count == 12 and model.missing_ranges() == [(4, 5)]
    model.apply_progress(12, [6], [(4, 5)])  # progress positions are sequence numbers
    cats = model.categories()
    assert [P.NAMES[c] for c in cats[3:7]] == ["verified", "missing from the journal",
                                                "missing from the journal", "failed"]


def test_verifying_a_file_with_a_deleted_block(qtbot, window, sample_ledger):
    con = sqlite3.connect(sample_ledger)
    con.execute("DELETE FROM revisions WHERE seq=9")
    con.execute("DELETE FROM blocks WHERE seq=9")
    con.commit()
    con.close()
    ws = open_workspace(qtbot, window, sample_ledger)
    tip = ws.block_count - 1
    window.actions_by_id["verify_journal"].trigger()
    qtbot.wait_until(lambda: ws.view("verify") is not None, timeout=10000)
    centre = ws.view("verify")
    qtbot.wait_until(lambda: centre.hub.report is not None, timeout=20000)
    chain = centre.chain
    qtbot.wait_until(lambda: chain.model.arrays is not None, timeout=10000)
    assert chain.model.category_of(9) == P.CAT_MISSING
    assert chain.model.category_of(8) == P.CAT_VERIFIED
    hover = chain.describe_block(9)
    assert "missing from the journal" in hover and "loading" not in hover
    chain._update_legend()
    assert "missing from the journal (1)" in chain.legend.text()
    # progress ends full, and every count says how many blocks there are and which is missing
    bar = centre.panel.bar
    assert bar.value() == bar.maximum() == tip + 1
    assert "missing from the journal (sequenceNo 9)" in centre.panel.speed.text()
    expected = f"{tip:,} blocks, tip sequenceNo {tip}, 1 missing from the journal"
    assert expected in chain.info.text()
    qtbot.wait_until(lambda: expected in ws.status.text())
    # a click on the missing block explains, and opens no inspector that cannot read it
    chain._clicked(9)
    assert ws.view("block") is None
