"""How the quote encoder's word probabilities are decoded, chosen end to end on the tagger's own
held-out tenth of PolNeAR train (research/quote_sources.py's split; the encoder never trained on it).

The Viterbi pass adds label-transition log-probabilities counted in training to the encoder's
log-probabilities. Those probabilities already see the context, so the full transition weight counts it
twice: a lone cue word inside plain text ("O C O") needs P(cue) > 0.99 to win. This script scales the
transitions by ``transition_scale`` and sweeps the per-label bias with it, scoring the whole pipeline
(rules + tagger + merge) by exact F1 of source, cue and content plus source overlap F1 (the figures the
README reports on PolNeAR dev). ``--write`` stores the best in ``models/quote-encoder/manifest.json``
(``transition_scale``, ``bias``; the training script's token-F1 bias is kept as ``bias_token_f1``).

    .venv/bin/python -m research.quote_decoding            # the grid, best last (about 10 minutes)
    .venv/bin/python -m research.quote_decoding --write    # and store the best in the manifest

Stop 21 (rules of that stop; the full grid in training/results/quote-decoding.txt): transitions at full
weight with the training script's bias O/S/C/T 0/0.5/1/0 give exact F1 source / cue / content
0.770 / 0.709 / 0.562 and source overlap 0.828; the best, scale 0.6 with bias 0/0.5/0.75/0.5, gives
0.773 / 0.715 / 0.572 and 0.837 (shipped), and scales 0.5 to 0.7 with a cue bias of 0.5 to 0.75 all come
within 0.006 of its sum.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import numpy as np

from research import quote_sources as qs
from spinscope.analyzers import quote_tagger
from spinscope.evaluation import quotes as ev

MANIFEST = Path(quote_tagger.__file__).resolve().parents[1] / "models" / quote_tagger.ENCODER_NAME / "manifest.json"
SCALES = (0.5, 0.6, 0.65, 0.7, 0.75, 0.85, 1.0)
CUE_BIAS = (0.5, 0.75, 1.0)
CONTENT_BIAS = (0.0, 0.25, 0.5)
SOURCE_BIAS = 0.5


def score(articles: list[ev.GoldArticle]) -> tuple[float, dict]:
    counts = {role: ev._Counts() for role in ev.ROLES}
    for article in articles:
        ev.score_article(article.text, qs.predicted(article), article.attributions, counts)
    f = ev.figures(counts)
    parts = {
        "source exact": f["source"]["exact"]["f1"],
        "source overlap": f["source"]["overlap"]["f1"],
        "cue exact": f["cue"]["exact"]["f1"],
        "content exact": f["content"]["exact"]["f1"],
    }
    return sum(parts.values()), parts


def main() -> None:
    articles = qs.held_out()
    model = quote_tagger.shipped()
    if model is None:
        raise SystemExit("the quote encoder is not installed")
    manifest = json.loads(MANIFEST.read_text())
    counted, start = np.asarray(manifest["transitions"], np.float32), np.asarray(manifest["start"], np.float32)
    best: tuple[float, float, list[float]] | None = None
    for scale, cue, content in itertools.product(SCALES, CUE_BIAS, CONTENT_BIAS):
        bias = [0.0, SOURCE_BIAS, cue, content]
        model.transitions[:] = counted * scale
        model.start[:] = start * scale
        model.bias[:] = np.asarray(bias, np.float32)
        total, parts = score(articles)
        print(f"scale {scale:<5} bias {bias}  " + "  ".join(f"{k} {v:.4f}" for k, v in parts.items()), flush=True)
        if best is None or total > best[0]:
            best = (total, scale, bias)
    assert best is not None
    print(f"best: scale {best[1]}, bias {best[2]} (sum {best[0]:.4f})")
    if "--write" in sys.argv:
        manifest.setdefault("bias_token_f1", manifest["bias"])
        manifest["bias"], manifest["transition_scale"] = best[2], best[1]
        MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n")
        print(f"written to {MANIFEST}")


if __name__ == "__main__":
    main()
