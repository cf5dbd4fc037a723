"""Regenerate the verification centre's screenshots in docs/screenshots/.

    python3 scripts/screenshots_chain.py [--out docs/screenshots]

Like scripts/screenshots.py (whose helpers it uses): offscreen, temporary profile, the real
main window. It verifies the sample ledger, then a copy tampered directly in SQLite (one field
of a revision in block 12 changed, as an attacker outside the app would), and grabs the chain
view, the report and a proof.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from screenshots import SIZE, settle, wait_until  # noqa: E402

TAMPERED_BLOCK = 12


def tamper(src: Path, dst: Path, seq: int) -> str:
    from ledger_desktop.engine.ion_values import dumps_binary, loads

    shutil.copyfile(src, dst)
    conn = sqlite3.connect(dst)
    idx, doc_id, data = conn.execute("SELECT idx, doc_id, data FROM revisions WHERE seq=? AND "
                                     "kind=0 ORDER BY idx LIMIT 1", (seq,)).fetchone()
    value = loads(data)
    for key in value:
        if key in ("City", "LicensePlateNumber"):
            value[key] = "Tampered"
            break
    else:
        value[next(iter(value))] = "Tampered"
    conn.execute("UPDATE revisions SET data=? WHERE seq=? AND idx=?",
                 (dumps_binary(value), seq, idx))
    conn.commit()
    conn.close()
    return doc_id


def verified_centre(window, path: Path):
    window.open_ledger(path)
    ws = window.current_workspace()
    wait_until(lambda: ws.ever_loaded, timeout=60)
    ws.splitter.setSizes([200, SIZE[0] - 200])
    ws.trigger("verify_journal")
    centre = ws.view("verify")
    wait_until(lambda: centre.hub.report is not None and centre.chain.model.arrays is not None,
               timeout=60)
    settle(0.4)
    return ws, centre


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(HERE.parent / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="ledger-chain-shots-"))
    os.environ["LEDGER_DESKTOP_PROFILE"] = str(tmp / "profile")

    from ledger_desktop.engine.ledger import Ledger
    from ledger_desktop.engine.sample import build_sample
    from ledger_desktop.ui import theme
    from ledger_desktop.ui.app import create_application

    app = create_application([])
    from ledger_desktop.ui.context import AppContext
    from ledger_desktop.ui.icons import app_icon
    from ledger_desktop.ui.main_window import MainWindow
    from ledger_desktop.ui.settings import Profile, Settings

    theme.apply_system_theme(app)
    app.setWindowIcon(app_icon())
    profile = Profile.create(temporary=False)
    ctx = AppContext(Settings(profile), profile)
    window = MainWindow(ctx)
    window.resize(*SIZE)
    window.show()

    healthy = build_sample(tmp / "vehicle-registration.ledger")
    tampered = tmp / "vehicle-registration-tampered.ledger"
    doc = tamper(healthy, tampered, TAMPERED_BLOCK)
    saved: list[Path] = []

    def save(name: str, widget) -> None:
        settle(0.3)
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        saved.append(path)
        print(path)

    try:
        # 1. the healthy sample, verified, with a saved digest kept for later
        ws, centre = verified_centre(window, healthy)
        centre.digests.get_digest()
        wait_until(lambda: centre.digests.current is not None)
        centre.digests.keep_current()
        save("chain-healthy", window)

        # 2. a revision proved against that saved digest, the path drawn step by step
        with Ledger.open(healthy, read_only=True) as led:
            seq, proof_doc = led._conn.execute(
                "SELECT seq, doc_id FROM revisions WHERE kind=0 AND seq IN (SELECT seq FROM "
                "blocks WHERE n_revisions > 2) ORDER BY seq, idx LIMIT 1 OFFSET 2").fetchone()
        centre.tabs.setCurrentWidget(centre.proof)
        centre.proof.refresh_digests()
        centre.proof.digest.setCurrentIndex(1)
        centre.proof.set_target(seq, proof_doc)
        centre.proof.prove()
        wait_until(lambda: centre.proof.diagram.laid is not None)
        centre.chain.model.select(seq)
        centre.splitter.setSizes([230, 700])
        save("proof", window)
        centre.splitter.setSizes([520, 400])

        # 3. the tampered copy: the chain breaks at block 12, everything after is unprovable
        ws2, bad = verified_centre(window, tampered)
        bad.chain.find(doc)
        wait_until(lambda: len(bad.chain.model.highlight) > 0)
        bad.chain.show_all()
        bad.splitter.setSizes([640, 260])
        settle(0.2)
        bad.chain.info.setText(bad.chain.describe_block(TAMPERED_BLOCK))
        save("chain-tampered", window)

        # 4. the report of the tampered copy, with the first failing block and its revisions
        bad.splitter.setSizes([240, 700])
        save("report", window)
    finally:
        window.close()
        ctx.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
