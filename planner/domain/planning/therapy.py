"""The psychotherapy sessions a protocol asks for, each tied to a dose by a window of days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from planner.domain.protocols import BEFORE_FIRST, Protocol


@dataclass(frozen=True)
class TherapyItem:
    """One psychotherapy session the protocol asks for: type, anchor dose, window, index."""

    type_key: str
    anchor: int      # the dose number it is tied to
    index: int       # 0-based among sessions of this link and anchor
    min_days: int
    max_days: int
    purpose: str

    @property
    def key(self) -> tuple[str, int, int]:
        """Identity of the item across re-plans."""
        return (self.type_key, self.anchor, self.index)

    def window(self, anchor_day: date, first_day: date, last_day: date) -> tuple[date, date]:
        """The days this session may take, clipped to the planning horizon."""
        return (max(first_day, anchor_day + timedelta(days=self.min_days)),
                min(last_day, anchor_day + timedelta(days=self.max_days)))


def therapy_items(protocol: Protocol, purposes: dict[str, str]) -> list[TherapyItem]:
    """Every psychotherapy session the protocol asks for."""
    items = []
    for link in protocol.therapy:
        for anchor in link.anchors(protocol.total_doses):
            for k in range(link.count):
                purpose = purposes.get(link.session_type, "preparation" if link.anchor == BEFORE_FIRST else "integration")
                items.append(TherapyItem(link.session_type, anchor, k, link.min_days, link.max_days, purpose))
    return items
