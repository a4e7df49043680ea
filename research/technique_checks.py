"""One-off checks behind figures quoted in the README's technique and speed sections, kept so
that anyone can rerun them (PTC held-out split of training/ptc.py; needs ../shared).

    .venv/bin/python -m research.technique_checks stride     # SI at tagger strides 256/384/512
    .venv/bin/python -m research.technique_checks batch      # SI with 1, 2 and 8 windows per call
    .venv/bin/python -m research.technique_checks context    # TC and time at classifier context 128/96/64
    .venv/bin/python -m research.technique_checks rules      # each rule family added to the tagger's spans
    .venv/bin/python -m research.technique_checks previous   # this tagger's speed beside the previous one

SI here is the tagger's own spans (decode_spans with the shipped thresholds), as export_onnx.py
measures it; ``spinscope eval`` adds nested peaks and slogans on top.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from spinscope.analyzers.techniques_model import TechniqueModel
from spinscope.runtime.encoding import decode_spans
from spinscope.scoring import score_si, score_tc
from training.ptc import gold_lines, load_ptc, split

REPO = Path(__file__).resolve().parents[1]

PREVIOUS_TAGGER = "7b0d91c"  # the last commit that shipped the 256-token tagger


def tagger_si(model: TechniqueModel, articles) -> tuple[float, float, float]:
    predicted = []
    for article in articles:
        tokens = model.tokenize(article.text)
        probs = model.token_probabilities(tokens)
        spans = decode_spans(article.text, tokens, probs[:, 0], model.low, model.high)
        predicted += [(article.id, "?", s, e) for s, e, _ in spans]
    prf = score_si(predicted, gold_lines(articles))
    return round(prf.precision, 4), round(prf.recall, 4), round(prf.f1, 4)


def main() -> None:
    check = sys.argv[1] if len(sys.argv) > 1 else "stride"
    _train, val = split(load_ptc())
    model = TechniqueModel()
    if check == "stride":
        for stride in (256, 384, 512):
            model.tagger.manifest["stride"] = stride
            print(f"stride {stride}: SI P/R/F1 {tagger_si(model, val)}", flush=True)
    elif check == "batch":
        # The shipped thresholds (tuned with one window per call), then those first tuned with 8 per call.
        for low, high in ((model.low, model.high), (0.1, 0.4)):
            model.low, model.high = low, high
            for batch in (1, 2, 8):
                model.batch_size = batch
                print(
                    f"thresholds {low}/{high}, {batch} windows per call: SI P/R/F1 {tagger_si(model, val)}", flush=True
                )
    elif check == "context":
        for max_tokens in (128, 96, 64):
            model.classifier.manifest["max_tokens"] = max_tokens
            predicted, gold = [], []
            start = time.perf_counter()
            for article in val:
                techniques = defaultdict(list)
                for technique, s, e in article.spans:
                    techniques[(s, e)].append(technique)
                spans = sorted(techniques)
                labels = model.label_spans(article.text, [(s, e, len(techniques[(s, e)])) for s, e in spans])
                for (s, e), ranked in zip(spans, labels, strict=True):
                    for technique, label in zip(techniques[(s, e)], ranked, strict=True):
                        gold.append((article.id, technique, s, e))
                        predicted.append((article.id, label, s, e))
            seconds = time.perf_counter() - start
            tc = score_tc(predicted, gold).micro.f1
            print(f"context {max_tokens}: TC {tc:.4f}, {1000 * seconds / len(gold):.1f} ms a span", flush=True)
    elif check == "rules":
        from spinscope.analyzers.techniques_rules import RuleEngine

        gold = gold_lines(val)
        base, by_family = [], defaultdict(list)
        for article in val:
            tokens = model.tokenize(article.text)
            probs = model.token_probabilities(tokens)
            base += [
                (article.id, "?", s, e)
                for s, e, _ in decode_spans(article.text, tokens, probs[:, 0], model.low, model.high)
            ]
            for span in RuleEngine().find(article.text):
                by_family[span.technique].append((article.id, "?", span.start, span.end))
        print(f"tagger alone: SI F1 {score_si(base, gold).f1:.4f}")
        for family, spans in sorted(by_family.items()):
            alone, union = score_si(spans, gold), score_si(base + spans, gold)
            print(
                f"{family:40} n={len(spans):4}  precision alone {alone.precision:.3f}  SI F1 with them {union.f1:.4f}"
            )
    elif check == "previous":
        from spinscope.runtime.session import load_bundle
        from spinscope.segmentation import sentences

        folder = Path(tempfile.mkdtemp())
        for name in ("manifest.json", "model.onnx", "tokenizer.json"):
            blob = subprocess.run(
                ["git", "show", f"{PREVIOUS_TAGGER}:src/spinscope/models/techniques-tagger/{name}"],
                cwd=REPO,
                capture_output=True,
                check=True,
            ).stdout
            (folder / name).write_bytes(blob)
        previous = TechniqueModel()
        previous.tagger = load_bundle("techniques-tagger", folder)
        previous.low = float(previous.tagger.manifest["thresholds"]["low"])
        previous.high = float(previous.tagger.manifest["thresholds"]["high"])
        texts = [a.text for a in val[:20]]
        for name, m in (("previous", previous), ("current", model)) * 2:
            m.find(texts[0])
            start = time.perf_counter()
            for text in texts:
                m.find(text, sentences(text))
            print(f"{name:8} {len(texts) / (time.perf_counter() - start):.2f} articles/s", flush=True)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
