"""The README stays true: its set-up commands and its Python example."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_first_block_is_the_two_setup_commands():
    first = re.search(r"```bash\n(.*?)```", README, re.S).group(1).strip().splitlines()
    assert len(first) == 2
    assert "pip install -e ." in first[0] and "ledger-desktop" in first[0]
    assert "[test]" in first[1] and "pytest" in first[1]
    assert README.index("```bash") < 40  # among the README's first lines


def test_python_api_example_runs(tmp_path, monkeypatch):
    section = README[README.index("### Python API"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert namespace["report"].ok
    assert namespace["rows"][0]["FirstName"] == "Raúl"
    assert (tmp_path / "people.ledger").exists()
