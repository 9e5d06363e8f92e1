"""docs/domain.md answers the code that cites it: every module citing it is named there."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_module_that_cites_domain_md_is_named_in_it():
    doc = (ROOT / "docs" / "domain.md").read_text(encoding="utf-8")
    citing = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "planner").rglob("*.py")
                    if "domain.md" in path.read_text(encoding="utf-8"))
    assert citing, "no module cites domain.md any more: this test has nothing to check"
    assert [module for module in citing if f"`{module}`" not in doc] == []

