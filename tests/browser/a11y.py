"""Checks every browser journey shares: accessibility (axe-core), fitting the window, screenshots.

Call these from any journey in tests/browser/ (the names are stable):

- `assert_accessible(page)`: injects axe-core (the npm package `make test` installs into
  tests/browser/node_modules at the version tests/browser/package-lock.json pins) and runs its
  WCAG 2.0/2.1 level A and AA rules on the page as it is now; fails listing every serious or critical
  violation (rule, what it asks, the offending elements' selectors and what is wrong with each).
  `within="css selector"` checks one part of the page only (say, a panel just opened).
- `fits_the_width(page)`: fails when the page scrolls sideways (its content is wider than the
  window); wide tables belong in a `.table-scroll` box that scrolls inside its card.
- `assert_focus_visible(page)`: tabs through the page; every element that takes focus must show an
  outline (2 px or more, 3:1 against what is behind it). Returns how many elements took focus.
- `shoot(page, name)`: saves full-page screenshots at 1280 and 375 px wide (and 768 with
  `widths=WIDTHS`) as tests/browser/artifacts/NAME-WIDTH.png, then puts the window back as it was.
- `check_at_every_width(page, name)`: at 1280, 768 and 375 px: a screenshot, then the axe and width
  checks; then the focus check once; the one call a journey needs for each page it reaches.

`ARTIFACTS` is the screenshots' folder (ignored by git); `DESKTOP`, `TABLET` and `PHONE` are viewport sizes.
"""

from __future__ import annotations

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 375, "height": 740}
WIDTHS = (DESKTOP, TABLET, PHONE)
# What the issue asks every journey to save: desktop and phone.
SCREENSHOT_WIDTHS = (DESKTOP, PHONE)
# WCAG 2.0 and 2.1, levels A and AA: the rules axe-core tags with these.
WCAG_21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
BLOCKING = ("serious", "critical")

# Runs in the page; returns only what a failure message needs, so nothing large crosses to Python.
_RUN_AXE = """async ([within, tags]) => {
  const results = await axe.run(within || document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary, html: n.html.slice(0, 160)})),
  }));
}"""


def axe_violations(page, within: str | None = None, tags=WCAG_21_AA) -> list[dict]:
    """Every axe-core violation on the page (or the part `within` selects), whatever its impact."""
    if not AXE_JS.exists():
        raise AssertionError(f"{AXE_JS} is missing: `make browser-packages` installs axe-core (npm ci)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(_RUN_AXE, [within, list(tags)])


def assert_accessible(page, within: str | None = None, tags=WCAG_21_AA) -> None:
    """Fail listing each serious or critical axe-core violation (WCAG 2.1 A and AA) on the page as it is now."""
    blocking = [v for v in axe_violations(page, within, tags) if v["impact"] in BLOCKING]
    assert not blocking, f"accessibility violations on {page.url}:\n" + "\n".join(map(_describe, blocking))


def _describe(violation: dict) -> str:
    lines = [f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['url']}>"]
    for node in violation["nodes"]:
        summary = " ".join(node["summary"].split())
        lines.append(f"    {node['target']}: {summary}\n      {node['html']}")
    return "\n".join(lines)


def fits_the_width(page) -> None:
    """Fail when the page is wider than its window (the reader would have to scroll sideways)."""
    width = page.evaluate("window.innerWidth")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll} px wide in a {width} px window: {_widest(page)}"


def _widest(page) -> str:
    """The deepest elements that stick out past the window's right edge, to say what to fix."""
    return page.evaluate("""() => {
      const right = window.innerWidth, out = [];
      for (const el of document.body.querySelectorAll('*')) {
        const box = el.getBoundingClientRect();
        if (box.right > right + 0.5 && ![...el.children].some(c => c.getBoundingClientRect().right > right + 0.5))
          out.push(`${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).trim().replace(/\\s+/g, '.') : ''}`
                   + ` (right edge ${Math.round(box.right)} px)`);
      }
      return out.slice(0, 8).join(', ') || 'nothing visible (check margins and overflow)';
    }""")


# Runs in the page on the element that has focus: its outline, and the contrast of the outline's colour with
# what is behind the element (the first opaque background up its ancestors), as WCAG 2.2's 1.4.11 counts it.
_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const rgba = text => (text.match(/[\\d.]+/g) || []).map(Number).concat([1]).slice(0, 4);
  const lum = ([r, g, b]) => [r, g, b].map(c => c / 255).map(c => c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)
    .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  let back = [255, 255, 255, 1];
  for (let node = el.parentElement; node; node = node.parentElement) {
    const colour = rgba(getComputedStyle(node).backgroundColor);
    if (colour[3] === 1) { back = colour; break; }
  }
  const style = getComputedStyle(el), ring = rgba(style.outlineColor);
  const seen = ring.slice(0, 3).map((c, i) => c * ring[3] + back[i] * (1 - ring[3]));
  const [hi, lo] = [lum(seen), lum(back)].sort((a, b) => b - a);
  const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.className ? '.' + String(el.className).trim().replace(/\\s+/g, '.') : '');
  return {name, text: (el.innerText || el.value || '').trim().slice(0, 40), style: style.outlineStyle,
          width: parseFloat(style.outlineWidth), contrast: (hi + 0.05) / (lo + 0.05)};
}"""


def assert_focus_visible(page, presses: int = 40) -> int:
    """Tab through the page from the top: every element that takes focus shows an outline at least 2 px wide
    whose colour stands out 3:1 from what is behind it (Chromium's own two-tone ring counts). Returns how many."""
    # Tab starts from the element focused last, so start from a mark at the top of the page (not in the Tab order).
    page.evaluate("""() => { const mark = document.createElement('span'); mark.id = 'focus-start'; mark.tabIndex = -1;
                             document.body.prepend(mark); mark.focus(); }""")
    seen, faint = [], []
    try:
        for _ in range(presses):
            page.keyboard.press("Tab")
            focus = page.evaluate(_FOCUS)
            if focus is None or focus["name"] + focus["text"] == (seen or [None])[0]:
                break  # past the last element, or round to the first again
            if seen and focus["name"] + focus["text"] == seen[-1]:
                continue  # a date or time field's next part (day, month...): the field was checked as it took focus
            seen.append(focus["name"] + focus["text"])
            if focus["style"] != "auto" and (focus["style"] == "none" or focus["width"] < 2 or focus["contrast"] < 3):
                faint.append(f"{focus['name']} {focus['text']!r}: outline {focus['style']} {focus['width']} px, "
                             f"contrast {focus['contrast']:.2f}:1")
    finally:
        page.evaluate("() => document.getElementById('focus-start')?.remove()")
    assert not faint, f"focus hard to see on {page.url}:\n" + "\n".join(faint)
    return len(seen)


def shoot(page, name: str, widths=SCREENSHOT_WIDTHS) -> list[Path]:
    """Save full-page screenshots of the page at each width as ARTIFACTS/NAME-WIDTH.png; the window is put back."""
    ARTIFACTS.mkdir(exist_ok=True)
    before = page.viewport_size
    saved = []
    try:
        for size in widths:
            page.set_viewport_size(size)
            path = ARTIFACTS / f"{name}-{size['width']}.png"
            page.screenshot(path=str(path), full_page=True)
            saved.append(path)
    finally:
        page.set_viewport_size(before)
    return saved


def check_at_every_width(page, name: str, widths=WIDTHS) -> None:
    """At each width: a screenshot (taken first, to look at when a check fails), no serious or critical
    axe violation, and no sideways scrolling; then every focused element's outline is visible."""
    before = page.viewport_size
    try:
        for size in widths:
            page.set_viewport_size(size)
            shoot(page, name, widths=(size,))
            assert_accessible(page)
            fits_the_width(page)
        assert_focus_visible(page)
    finally:
        page.set_viewport_size(before)
