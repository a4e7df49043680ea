"""Which sentence features should the voice head read? 5-fold CV on NewsSD train (the choice) and
NewsSD val (reported, not a choice), for the shipped features and for the quote encoder's view.

    .venv-train/bin/python -m research.voice_features \\
        [--quote-run training/runs/round5/quotes]   # the quote encoder's best.pt (training/unpack_gpu_run.py)

Feature sets: ``shipped`` (voice.standalone_features: technique-tagger states mean, its probabilities'
mean and max, cues); ``quote-shares`` (shipped + the share of source / cue / content words and their
max probabilities under the shipped quote tagger); ``quote-states`` (the quote encoder's mean state,
fp32 from its checkpoint); ``quote-states+probs+cues`` (those states in place of the technique
tagger's). Logistic regression, class-balanced, C in 0.1 / 0.3 / 1.0.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import f1_score

from spinscope.analyzers import quote_tagger as qt
from spinscope.analyzers import voice
from spinscope.analyzers.quotes import find_quotes
from spinscope.runtime.encoding import load_tokenizer, make_windows
from spinscope.segmentation import sentences
from training.common import REPO, base_encoder_dir
from training.train_quote_encoder import QuoteEncoder
from training.train_voice_head import NEWSSD, head_with_c, load, pick_c


def quote_shares(text: str) -> np.ndarray:
    spans = sentences(text)
    _tokens, labels, probs = qt.shipped().tag(text, spans, find_quotes(text, spans, use_tagger=False))
    if len(labels) == 0:
        return np.zeros(6)
    return np.array([(labels == k).mean() for k in (1, 2, 3)] + [probs[:, k].max() for k in (1, 2, 3)])


def quote_states(model: QuoteEncoder, tokenizer, text: str) -> np.ndarray:
    spans = sentences(text)
    words = qt.tokenize(text, spans)
    roles = qt.role_codes(qt.rule_roles(text, words, find_quotes(text, spans, use_tagger=False)))
    pieces, _ = qt.encoder_inputs(tokenizer, text, words.starts, words.ends, roles)
    window = make_windows(pieces, 512, 510)[0]  # NewsSD sentences fit one window
    ids = torch.from_numpy(window.input_ids[None])
    with torch.no_grad():
        hidden = model.encoder(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state[0, 1:-1]
    return hidden.mean(0).numpy()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quote-run", type=Path, default=REPO / "training" / "runs" / "round5" / "quotes")
    args = parser.parse_args()
    torch.set_num_threads(2)
    train_s, train_y = load(NEWSSD / "train.csv")
    val_s, val_y = load(NEWSSD / "val.csv")
    checkpoint = torch.load(args.quote_run / "best.pt", map_location="cpu", weights_only=False)
    model = QuoteEncoder(base_encoder_dir(), int(checkpoint["n_extra"]))
    model.load_state_dict({k: v.float() for k, v in checkpoint["model"].items()})
    model.eval()
    tokenizer = load_tokenizer(base_encoder_dir() / "tokenizer.json")

    def sets(texts: list[str]) -> dict[str, np.ndarray]:
        shipped = voice.standalone_features(texts)
        shares = np.array([quote_shares(t) for t in texts])
        states = np.array([quote_states(model, tokenizer, t) for t in texts])
        n_states = 384  # standalone_features starts with the tagger's mean state
        return {
            "shipped": shipped,
            "quote-shares": np.hstack([shipped, shares]),
            "quote-states": states,
            "quote-states+probs+cues": np.hstack([states, shipped[:, n_states:]]),
        }

    train, val = sets(train_s), sets(val_s)
    for name in train:
        best, cv = pick_c(train[name], train_y, grid=(0.1, 0.3, 1.0))
        head = head_with_c(best).fit(train[name], train_y)
        val_f1 = f1_score(val_y, head.predict(val[name]), average="macro")
        print(f"{name:26} CV macro-F1 {cv[best]:.4f} (C={best})  val macro-F1 {val_f1:.4f}", flush=True)


if __name__ == "__main__":
    main()
