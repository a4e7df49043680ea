"""TC micro-F1 on the 37 held-out PTC articles: the span classifier, the label head (C = 0.01, fitted on the
other 334 articles' trunk states), their average and their product (what ships; analyzers/techniques_model.py).

    .venv/bin/python -m training.trunk_states ptc --out /tmp/ptc.npz
    .venv/bin/python -m research.label_ensemble --states /tmp/ptc.npz      # training/results/label-ensemble.txt
"""

import argparse
from collections import defaultdict
from pathlib import Path

import numpy as np

from spinscope.analyzers.techniques_model import TechniqueModel
from spinscope.scoring import read_labels
from spinscope.techniques import TECHNIQUE_IDS
from training.train_label_head import PTC, REPO, build_rows, fit, load_passes, tc

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--states", type=Path, required=True)
args = parser.parse_args()
labels = list(TECHNIQUE_IDS)
passes = load_passes(args.states)
gold = read_labels(PTC / "train-task-flc-tc.labels")
val_ids = set((REPO / "training" / "ptc_val_ids.txt").read_text().split())
keys, x, span_labels = build_rows(passes, gold, labels)
is_val = np.array([k[0] in val_ids for k in keys])
tr, va = np.flatnonzero(~is_val), np.flatnonzero(is_val)
head = fit(x[tr], [span_labels[i] for i in tr], labels, 0.01)
mean, scale, w, b = head
z = ((x[va] - mean) / scale) @ w + b
z -= z.max(1, keepdims=True)
ph = np.exp(z)
ph /= ph.sum(1, keepdims=True)
model = TechniqueModel()
model.label_head = None  # the classifier alone
clf_labels = model.labels
order = [clf_labels.index(t) for t in labels]
pc = []
by_article = defaultdict(list)
for j, i in enumerate(va):
    by_article[keys[i][0]].append(j)
pc = np.zeros_like(ph)
for a, js in by_article.items():
    text = passes[a][0]
    tokens = model.tokenize(text)
    inputs = model.span_inputs(text, tokens, [(keys[va[j]][1], keys[va[j]][2]) for j in js], None)
    pc[js] = model.classify(inputs)[:, order]
vk = [keys[i] for i in va]
vl = [span_labels[i] for i in va]
for name, p in (
    ("classifier", pc),
    ("head", ph),
    ("average", (pc + ph) / 2),
    ("geo", np.log(pc + 1e-9) + np.log(ph + 1e-9)),
):
    r = tc(vk, np.argsort(-p, 1), vl, labels)
    print(
        f"{name:10} TC micro-F1 {r.micro.f1:.4f}  Repetition {r.per_technique.get('Repetition').f1:.3f}  Loaded {r.per_technique.get('Loaded_Language').f1:.3f}",
        flush=True,
    )
