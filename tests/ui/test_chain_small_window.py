"""The chain view and its timeline in an 800x600 window: no axis title is cut off, the
timeline's legend does not cover its bars, and counts are not "1 blocks"."""

from __future__ import annotations

from PySide6.QtCore import QRectF

from .conftest import open_workspace


def _clipped_titles(plot) -> list[str]:
    """The visible axis titles of a PlotWidget that do not fit inside it."""
    inside = QRectF(0, 0, plot.width(), plot.height()).adjusted(-1, -1, 1, 1)
    out = []
    for name in ("left", "bottom"):
        axis = plot.getPlotItem().getAxis(name)
        if not axis.isVisible() or not axis.label.isVisible() or not axis.labelText:
            continue
        margin = axis.label.document().documentMargin()  # blank space around the text
        text = axis.label.boundingRect().adjusted(margin, margin, -margin, -margin)
        rect = plot.mapFromScene(axis.label.mapToScene(text)).boundingRect()
        if not inside.contains(QRectF(rect)):
            out.append(f"{name}: {axis.labelText!r} at {rect}")
    return out


def _legend_over_bars(plot) -> bool:
    legend = plot.getPlotItem().legend
    if legend is None or not legend.isVisible():
        return False
    box = plot.getViewBox()
    return legend.sceneBoundingRect().intersects(box.sceneBoundingRect())


def test_chain_and_timeline_fit_an_800x600_window(qtbot, window, sample_ledger):
    ws = open_workspace(qtbot, window, sample_ledger)
    window.resize(800, 600)
    ws.trigger("show_chain")
    chain = ws.view("verify").chain
    qtbot.wait_until(lambda: chain.model.arrays is not None and chain.timeline.last_bins
                     is not None, timeout=10000)
    qtbot.wait_until(lambda: window.width() <= 800)
    qtbot.wait(150)
    assert chain.plot.height() < 140  # the small case this is about
    # was: the info line drawn over the bottom of the chain plot (and its "block" title),
    # "per bi" on the timeline, and the legend drawn over the timeline's bars
    rows = [chain.search, chain.legend, chain.plot, chain.info]
    for above, below in zip(rows, rows[1:], strict=False):
        assert above.geometry().bottom() < below.geometry().top(), (above.objectName(),
                                                                     below.objectName())
    assert _clipped_titles(chain.plot) == []
    assert _clipped_titles(chain.timeline) == []
    assert not _legend_over_bars(chain.timeline)
    label = chain.timeline.getPlotItem().getAxis("bottom").labelText
    assert label.startswith("UTC, ") and "transactions" in label and "revisions" in label
    # with room, the chain keeps its axis title
    window.resize(1360, 1000)
    qtbot.wait_until(lambda: chain.plot.height() >= 140, timeout=5000)
    assert chain.plot.getPlotItem().getAxis("bottom").label.isVisible()
    assert _clipped_titles(chain.plot) == [] and _clipped_titles(chain.timeline) == []


def test_one_block_is_not_one_blocks(qtbot, window, tmp_path):
    from ledger_desktop.engine.ledger import Ledger

    path = tmp_path / "new.ledger"
    Ledger.create(path).close()
    ws = open_workspace(qtbot, window, path)
    ws.trigger("show_chain")
    chain = ws.view("verify").chain
    qtbot.wait_until(lambda: chain.model.arrays is not None, timeout=10000)
    assert chain.model.count == 1
    assert chain.info.text().startswith("1 block. "), chain.info.text()
