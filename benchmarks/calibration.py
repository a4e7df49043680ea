"""Print the calibration figures of the technique spans (expected calibration error before and after, the
reliability table, the default view's precision and recall), out-of-fold over the 37 held-out PTC articles.

    .venv/bin/python -m benchmarks.calibration [--cache FILE] [--plot docs/reliability.png]

Needs ../shared/corpora and scikit-learn (``.venv/bin/pip install scikit-learn``: training only); the
figures and how they are made are described in ``training/calibrate_techniques.py`` (which also writes
the shipped calibration, ``--write``). ``--plot`` draws the reliability diagram (matplotlib, from the
``corpus`` extra). The models' predictions on the 37 articles are cached in ``--cache`` (a few minutes
to compute on two cores).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from training.calibrate_techniques import BINS, CACHE, choose, held_out_ids, judge, load_predictions, report


def plot(conf: np.ndarray, raw: np.ndarray, right: np.ndarray, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from training.calibrate_techniques import reliability_rows

    figure, axis = plt.subplots(figsize=(5, 5), dpi=120)
    axis.plot([0, 1], [0, 1], color="#888888", linestyle="--", linewidth=1, label="perfectly calibrated")
    for values, label, colour in ((raw, "score (raw)", "#b2182b"), (conf, "confidence (calibrated)", "#2166ac")):
        rows = reliability_rows(values, right, BINS)
        # the line joins bins of 10 labels or more; every bin is a dot whose area grows with its count
        solid = [r for r in rows if r[1] >= 10]
        axis.plot([r[2] for r in solid], [r[3] for r in solid], color=colour, label=label)
        axis.scatter(
            [r[2] for r in rows], [r[3] for r in rows], s=[8 + r[1] / 2 for r in rows], color=colour, alpha=0.7
        )
    axis.set_xlabel("predicted probability (mean per bin)")
    axis.set_ylabel("share right (overlaps a gold span of the same technique)")
    axis.set_title("Technique spans, out-of-fold, 37 held-out PTC articles\n(dot area: labels in the bin)", fontsize=9)
    axis.set_xlim(0, 1)
    axis.set_ylim(0, 1)
    axis.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=CACHE, help="the models' predictions on the 37 articles")
    parser.add_argument("--plot", type=Path, help="also write the reliability diagram here (PNG)")
    args = parser.parse_args(argv)
    items, gold = judge(load_predictions(args.cache, held_out_ids()))
    choice = choose(items, gold)
    print(report(choice, items, gold))
    if args.plot:
        plot(choice.cv["conf"], choice.cv["raw"], choice.cv["right"], args.plot)
        print(f"wrote {args.plot}")


if __name__ == "__main__":
    main()
