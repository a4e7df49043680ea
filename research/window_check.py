"""SI F1 and tagger time on the 37 held-out PTC articles for several ways of reading long articles.

    .venv/bin/python -m research.window_check 512:avg 512:64 512:32 384:48 256:48

Each argument is WINDOW:MARGIN, a window size in pieces and its central windows' context margin (``avg``: no
margin given, as ``TechniqueModel(margin=None)`` reads).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from spinscope.analyzers.techniques_model import TechniqueModel
from spinscope.evaluation.techniques import read_article_file
from spinscope.scoring import read_labels, score_si
from spinscope.segmentation import sentences

PTC = Path(__file__).resolve().parents[1] / "../shared/corpora/ptc/train"
ids = set((Path(__file__).resolve().parents[1] / "training/ptc_val_ids.txt").read_text().split())
gold = [g for g in read_labels(PTC / "train-task-flc-tc.labels") if g[0] in ids]
texts = {i: read_article_file(PTC / "train-articles", i) for i in sorted(ids)}
for spec in sys.argv[1:]:
    window, margin = spec.split(":")
    model = TechniqueModel(window=int(window), margin=None if margin == "avg" else int(margin))
    pred, t_enc = [], 0.0
    for i, text in texts.items():
        t0 = time.perf_counter()
        model.encode(model.tokenize(text))
        t_enc += time.perf_counter() - t0
        pred += [(i, s.technique, s.start, s.end) for s in model.find(text, sentences(text))]
    si = score_si(pred, gold)
    print(f"{spec:10} SI P {si.precision:.4f} R {si.recall:.4f} F1 {si.f1:.4f}  tagger {t_enc:.1f} s", flush=True)
