"""The block inspector says where a block is in ordinary numbers: sequence numbers count from
0, so "Block 12 of 22" (the highest sequence number) read as 22 blocks when there are 23."""

from __future__ import annotations

from .conftest import open_workspace


def test_the_inspector_counts_blocks_as_people_do(qtbot, window, sample_ledger):
    ws = open_workspace(qtbot, window, sample_ledger)
    assert ws.block_count == 23
    for seq, text in ((12, "(13 of 23)"), (0, "(1 of 23)"), (22, "(23 of 23)")):
        inspector = ws.open_block(seq)
        qtbot.wait_until(lambda s=seq, i=inspector: i.block is not None and i.seq == s,
                         timeout=5000)
        assert inspector.spin.value() == seq  # the sequence number, as in block addresses
        assert inspector.of_label.text() == text
        assert "start at 0" in inspector.of_label.toolTip()
    inspector.next_button.click()  # already the last: stays there
    assert inspector.of_label.text() == "(23 of 23)"
