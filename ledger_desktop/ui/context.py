"""The explicit context object every window and view receives instead of reaching for globals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject

from ..workers.tasks import Lane
from .settings import Profile, Settings


@dataclass
class AppContext:
    settings: Settings
    profile: Profile
    #: a lane without a ledger for file work: building the sample, previews, journal imports
    tools: Lane = field(default=None)  # type: ignore[assignment]
    extras: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.tools is None:
            self.tools = Lane("tools")

    def shutdown(self) -> None:
        self.tools.stop()


def parent_of(obj: QObject) -> QObject | None:
    return obj.parent()
