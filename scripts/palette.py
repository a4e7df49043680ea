"""Choose (or check) the 14 technique highlight colours: distinguishable for colour-blind readers too.

    .venv/bin/python scripts/palette.py          # check the shipped palette (spinscope.techniques)
    .venv/bin/python scripts/palette.py --search # greedy max-min search over an sRGB grid

The distance of two colours is their CIEDE2000 difference, taken as the smallest over normal
vision and simulated deuteranopia, protanopia and tritanopia (Machado et al. 2009, full
severity, as implemented by coloraide). Candidates are light enough for black text (WCAG
contrast with black at least 7:1) and differ from the white page by at least 8. Needs the
test extra (coloraide).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

from coloraide import Color

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

VISIONS = ("normal", "deutan", "protan", "tritan")
MIN_CONTRAST_WITH_BLACK = 7.0
MIN_FROM_WHITE = 15.0


def seen(colour: str) -> dict[str, Color]:
    """The colour as each vision sees it (coloraide's Machado filters, full severity)."""
    base = Color(colour)
    views = {"normal": base}
    for vision in VISIONS[1:]:
        views[vision] = base.filter(vision, method="machado").convert("srgb").fit("srgb")
    return views


def distance(a: dict[str, Color], b: dict[str, Color]) -> float:
    """CIEDE2000, the smallest over the four visions."""
    return min(a[v].delta_e(b[v], method="2000") for v in VISIONS)


def min_distance(colours: list[str]) -> tuple[float, tuple[str, str]]:
    views = [seen(c) for c in colours]
    pairs = itertools.combinations(range(len(colours)), 2)
    return min((distance(views[i], views[j]), (colours[i], colours[j])) for i, j in pairs)


def usable(colour: str) -> bool:
    c = Color(colour)
    return (
        c.contrast(Color("black")) >= MIN_CONTRAST_WITH_BLACK
        and c.delta_e(Color("white"), method="2000") >= MIN_FROM_WHITE
    )


def search(count: int = 14, levels: int = 16) -> list[str]:
    steps = [round(i * 255 / (levels - 1)) for i in range(levels)]
    candidates = [f"#{r:02x}{g:02x}{b:02x}" for r in steps for g in steps for b in steps]
    candidates = [c for c in candidates if usable(c)]
    views = {c: seen(c) for c in candidates}
    # Start from the pair farthest apart among a sample, then add the candidate farthest from all chosen.
    chosen = [max(candidates, key=lambda c: distance(views[c], seen("#ffffff")))]
    nearest = {c: distance(views[c], views[chosen[0]]) for c in candidates}
    while len(chosen) < count:
        best = max((c for c in candidates if c not in chosen), key=lambda c: nearest[c])
        chosen.append(best)
        for c in candidates:
            nearest[c] = min(nearest[c], distance(views[c], views[best]))
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--search", action="store_true", help="search a new palette instead of checking ours")
    args = parser.parse_args()
    if args.search:
        colours = search()
    else:
        from spinscope.techniques import TECHNIQUES

        colours = [t.colour for t in TECHNIQUES]
    value, pair = min_distance(colours)
    print("palette:", " ".join(colours))
    print(f"smallest CIEDE2000 over normal/deutan/protan/tritan vision: {value:.1f} ({pair[0]} vs {pair[1]})")
    for vision in VISIONS:
        views = [seen(c)[vision] for c in colours]
        worst = min(a.delta_e(b, method="2000") for a, b in itertools.combinations(views, 2))
        print(f"  {vision:7s} smallest pairwise CIEDE2000: {worst:.1f}")
    print("lowest contrast with black text:", f"{min(Color(c).contrast(Color('black')) for c in colours):.1f}:1")


if __name__ == "__main__":
    main()
