"""The commands of the planner group."""

from __future__ import annotations
