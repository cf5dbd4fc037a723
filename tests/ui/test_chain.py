"""The chain view renders a ledger, maps clicks to blocks, searches, and aggregates at scale."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from ledger_desktop.engine.chain_data import FLAG_REDACTION
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.sample import build_sample
from ledger_desktop.ui.chain import palette as P
from ledger_desktop.ui.chain.context import LedgerViewContext
from ledger_desktop.ui.chain.view import ChainView
from ledger_desktop.workers.session import LedgerSession


@pytest.fixture(scope="module")
def sample_path(tmp_path_factory):
    return build_sample(tmp_path_factory.mktemp("chainui") / "s.ledger")


@pytest.fixture
def view(qtbot, sample_path, tmp_path):
    session = LedgerSession(sample_path)
    ctx = LedgerViewContext(sample_path, session, tmp_path / "data")
    v = ChainView(ctx)
    qtbot.addWidget(v)
    v.resize(1100, 600)
    v.show()
    with qtbot.wait_signal(v.columns_loaded, timeout=10000):
        pass
    yield v
    v.shutdown()
    session.close()


def test_renders_every_block_of_the_sample(view, sample_path):
    with Ledger.open(sample_path, read_only=True) as led:
        n = led.block_count()
        redacted = [s.seq for s in led.block_summaries(0, n - 1) if s.has_redaction]
    assert view.model.count == n
    view.show_all()
    view.plot.grab()
    assert view.item.last_mode == "detail"
    assert view.item.visible_range() == (0, n)
    assert view.item.last_drawn >= n
    # before verification: redaction blocks are marked, the rest are not yet checked
    cats = view.model.categories()
    assert [i for i in range(n) if cats[i] == P.CAT_REDACTION] == redacted
    assert view.model.counts()[P.CAT_UNCHECKED] == n - len(redacted)
    assert "not yet checked" in view.legend.text()


def test_click_maps_to_the_right_block(view, qtbot):
    view.show_range(0, 20)
    qtbot.wait_until(lambda: view.item.visible_range()[1] <= 22)
    view.plot.grab()
    for seq in (3, 11):
        with qtbot.wait_signal(view.block_activated, timeout=3000) as sig:
            qtbot.mouseClick(view.plot.viewport(), Qt.MouseButton.LeftButton,
                             pos=view.block_center(seq))
        assert sig.args == [seq]
        assert view.model.selected == seq
        assert f"Block {seq}" in view.info.text()
    # a click on empty space above the chain selects nothing
    above = view.block_center(5)
    above.setY(2)
    with qtbot.assert_not_emitted(view.block_activated):
        qtbot.mouseClick(view.plot.viewport(), Qt.MouseButton.LeftButton, pos=above)


def test_hover_shows_address_time_and_transaction(view, qtbot, sample_path):
    with Ledger.open(sample_path, read_only=True) as led:
        s = led.block_summaries(4, 4)[0]
    view.show_range(0, 20)
    qtbot.wait_until(lambda: view.item.visible_range()[1] <= 22)
    view.plot.grab()
    qtbot.mouseMove(view.plot.viewport(), view.block_center(4))
    # the hover is rate-limited (SignalProxy); the transaction arrives from a reader task
    qtbot.wait_until(lambda: "Block 4" in view.info.text() and s.tx_id in view.info.text())
    text = view.info.text()
    assert "sequenceNo:4" in text and s.block_ts[:19].replace("T", " ") in text


def test_search_document_highlights_every_block_of_its_history(view, qtbot, sample_path):
    with Ledger.open(sample_path, read_only=True) as led:
        doc = led._conn.execute("SELECT doc_id FROM revisions WHERE kind=0 GROUP BY doc_id "
                                "HAVING count(*) > 1 LIMIT 1").fetchone()[0]
        seqs = sorted({r.address.seq for r in led.document_history(doc)})
    view.search.setText(doc)
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    qtbot.wait_until(lambda: len(view.model.highlight) > 0)
    assert view.model.highlight.tolist() == seqs
    first, last = view.visible_range()
    assert first <= seqs[0] and seqs[-1] < last
    view.search.setText("99999")
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    qtbot.wait_until(lambda: len(view.model.highlight) == 0)
    assert "no block 99999" in view.info.text()


def test_timeline_is_linked_to_the_chain(view, qtbot):
    tx, rev = view.timeline.last_bins
    assert int(tx.sum()) == view.model.count
    assert int(rev.sum()) == int(view.model.arrays.n_revisions.sum())
    a = view.model.arrays
    t0, t1 = a.ts_ms[5] / 1000, a.ts_ms[9] / 1000
    with qtbot.wait_signal(view.timeline.blocks_selected) as sig:
        view.timeline.region.setRegion((t0, t1))
    first, last = sig.args
    assert first <= 5 and last >= 10


def test_aggregates_a_million_blocks_and_keeps_one_failure_visible(qtbot):
    import pyqtgraph as pg

    from ledger_desktop.engine.chain_data import ChainArrays
    from ledger_desktop.ui.chain.item import ChainItem
    from ledger_desktop.ui.chain.model import ChainModel

    n = 1_000_000
    model = ChainModel()
    model.set_block_count(n)
    flags = np.zeros(n, np.uint8)
    flags[10] = FLAG_REDACTION
    model.set_arrays(ChainArrays(np.arange(n, dtype=np.int64), np.arange(n, dtype=np.int64),
                                 np.ones(n, np.int32), flags))
    model.apply_progress(n, [654_321])
    assert model.state[654_320] == P.VERIFIED and model.state[654_322] == P.AFTER_BREAK
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    item = ChainItem(model)
    plot.addItem(item)
    plot.resize(1000, 200)
    plot.getViewBox().setXRange(-0.5, n - 0.5, padding=0)
    plot.getViewBox().setYRange(-1, 1, padding=0)
    plot.show()
    image = plot.grab().toImage()
    assert item.last_mode.startswith("aggregate:")
    assert item.last_drawn < 50  # a handful of runs, not a million boxes
    # the one failed block is drawn: some pixel of the chain's row is red
    y = item.mapToScene(pg.QtCore.QPointF(0, 0))
    row = plot.mapFromScene(y).y()
    reds = [x for x in range(image.width())
            if image.pixelColor(x, row).name() == P.COLORS[P.CAT_FAILED].name()]
    assert reds, "the failed block vanished when zoomed out"
    hit = item.block_at(654_321 + 300, 0.0)  # within the same pixel
    assert hit == 654_321
    plot.close()


def test_reload_after_a_write_adds_unchecked_blocks(qtbot, sample_path, tmp_path):
    import shutil

    path = tmp_path / "grow.ledger"
    shutil.copy(sample_path, path)
    session = LedgerSession(path)
    view = ChainView(LedgerViewContext(path, session, tmp_path / "data"))
    qtbot.addWidget(view)
    try:
        with qtbot.wait_signal(view.columns_loaded, timeout=10000):
            pass
        n = view.model.count
        view.verification_progress(n, [])
        with Ledger.open(path) as led:
            led.execute("INSERT INTO Person ?", {"FirstName": "New"})
        with qtbot.wait_signal(view.columns_loaded, timeout=10000):
            view.reload()
        assert view.model.count == n + 1
        assert view.model.category_of(n) == P.CAT_UNCHECKED
        assert view.model.category_of(0) == P.CAT_VERIFIED
        assert len(view.model.arrays) == n + 1
    finally:
        view.shutdown()
        session.close()


@pytest.mark.parametrize("ordered", [True, False])
def test_timeline_bins_count_transactions_and_revisions(qtbot, ordered):
    from ledger_desktop.engine.chain_data import ChainArrays
    from ledger_desktop.ui.chain.model import ChainModel
    from ledger_desktop.ui.chain.timeline import TimelinePlot

    rng = np.random.default_rng(7)
    n = 5000
    ts = np.sort(rng.integers(1_700_000_000_000, 1_700_000_600_000, n))
    if not ordered:
        ts[[10, 20]] = ts[[20, 10]] + 1  # one pair out of order, as an imported journal may be
    revs = rng.integers(0, 9, n).astype(np.int32)
    model = ChainModel()
    plot = TimelinePlot(model)
    qtbot.addWidget(plot)
    model.set_arrays(ChainArrays(np.arange(n, dtype=np.int64), ts, revs, np.zeros(n, np.uint8)))
    assert plot._ordered is ordered
    edges = np.linspace(*plot.getViewBox().viewRange()[0], 121)
    tx, rev = plot.last_bins
    want_tx, _ = np.histogram(ts / 1000.0, bins=edges)
    want_rev, _ = np.histogram(ts / 1000.0, bins=edges, weights=revs)
    assert tx.tolist() == want_tx.tolist() and rev.tolist() == want_rev.astype(int).tolist()
    assert int(tx.sum()) == n and int(rev.sum()) == int(revs.sum())


def test_progress_updates_patch_categories_like_a_full_recompute():
    from ledger_desktop.engine.chain_data import ChainArrays
    from ledger_desktop.ui.chain.model import ChainModel

    n = 10_000
    flags = np.zeros(n, np.uint8)
    flags[[5, 700, 9000]] = FLAG_REDACTION
    model = ChainModel()
    model.set_block_count(n)
    model.set_arrays(ChainArrays(np.arange(n, dtype=np.int64), np.arange(n, dtype=np.int64),
                                 np.ones(n, np.int32), flags))
    model.categories()
    for done, failed in ((1000, []), (2500, [1800]), (2600, [1200]), (7000, [6000]), (n, [])):
        model.apply_progress(done, failed)
        patched = model.categories().copy()
        model._categories = None
        assert (model.categories() == patched).all()
    cats = model.categories()
    assert cats[1199] == P.CAT_VERIFIED and cats[1200] == P.CAT_FAILED
    assert cats[1201] == P.CAT_AFTER_BREAK and cats[1800] == P.CAT_FAILED
    assert cats[5] == P.CAT_REDACTION and cats[9000] == P.CAT_AFTER_BREAK


def test_timeline_axis_says_which_date_and_minute_it_shows(qtbot):
    """Zoomed to under a minute, the ticks are bare seconds; the axis title gives the date
    and the times the visible range starts and ends at."""
    from ledger_desktop.engine.chain_data import ChainArrays
    from ledger_desktop.ui.chain.model import ChainModel
    from ledger_desktop.ui.chain.timeline import TimelinePlot, time_range_label

    assert time_range_label(1_700_000_044.2, 1_700_000_044.4) == \
        "UTC, 2023-11-14 22:14:04.200 – 22:14:04.400"
    assert time_range_label(1_700_000_000, 1_700_003_000) == \
        "UTC, 2023-11-14 22:13:20 – 23:03:20"
    assert time_range_label(1_700_000_000, 1_700_200_000) == \
        "UTC, 2023-11-14 22:13 – 2023-11-17 05:46"
    model = ChainModel()
    plot = TimelinePlot(model)
    qtbot.addWidget(plot)
    ts = np.arange(1_700_000_044_000, 1_700_000_044_500, 20, dtype=np.int64)
    n = len(ts)
    model.set_arrays(ChainArrays(np.arange(n, dtype=np.int64), ts, np.ones(n, np.int32),
                                 np.zeros(n, np.uint8)))
    label = plot.getPlotItem().getAxis("bottom").labelText
    assert label.startswith("UTC, 2023-11-14 22:14:0"), label
