"""The one failure every delivery backend raises, so the outbox decides retry or give up the same way."""

from __future__ import annotations


class DeliveryFailed(Exception):
    """A message was not delivered: permanent (do not retry) or temporary (retry later, same message)."""

    def __init__(self, permanent: bool, detail: str):
        super().__init__(detail)
        self.permanent = permanent
        self.detail = detail

    def __repr__(self) -> str:
        return f"DeliveryFailed(permanent={self.permanent}, detail={self.detail!r})"


class RecipientOptedOut(DeliveryFailed):
    """The provider refuses the number because its owner replied STOP: record the opt-out, never retry."""

    def __init__(self, detail: str):
        super().__init__(permanent=True, detail=detail)
