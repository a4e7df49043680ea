"""Superseded experiment, kept for the record: the hashed-feature BiLSTM attribution tagger that
spinscope shipped before the encoder tagger (``training/train_quote_encoder.py``, held-out token F1
source / cue / content 0.837 / 0.690 / 0.913 against this one's 0.756 / 0.616 / 0.869). It now
writes to ``--ship`` (default ``training/runs/quote_tagger_bilstm``), not into the package, and
spinscope no longer reads these files (the loader is in git history, before tagger 1.2).

    .venv-train/bin/python -m research.train_quote_tagger                 # BiLSTM
    .venv-train/bin/python -m research.train_quote_tagger --model linear  # logistic regression

Every word of PolNeAR **train** gets its gold role (O / S source / C cue / T content) from the
first annotator's file. 10% of the train articles (seeded) are held out to pick the epoch, tune
the decoding bias and report token figures; PolNeAR dev is not touched here (its figures come
from ``python -m spinscope.evaluation.quotes``). Features per word (hashed, ``crc32 % buckets``):
the word and its neighbours, bigrams, shape, suffix, inside-quotation state, position in the
sentence, distance to the nearest cue word (PolNeAR train's frequent cue words plus the rules'
verbs) and the rules' own tags, so the tagger learns where to trust and where to extend them.

BiLSTM (default): embedding bag of the features (2^17 buckets x 48) -> one bidirectional LSTM
layer (96 per direction) over each sentence -> 4 logits; cross-entropy, SparseAdam + Adam lr
3e-3, dropout 0.2, 64 sentences per batch, 4 epochs (best on held-out: 3). Label transitions
and start probabilities are counted on the training articles (add-one) for the Viterbi decoding,
and a per-label log-probability bias (chosen on held-out: +1.5 for cues) trades precision for
recall. Held-out token F1 of the shipped model: source 0.756, cue 0.616, content 0.869 (the
linear variant: 0.70 / 0.60 / 0.85; a 128-unit BiLSTM with dropout 0.3: 0.72 / 0.60 / 0.87).
Features are cached in ``OUT/rows-*.pkl``; a feature pass takes ~10 minutes, training ~3.

Writes ``{weights.npz,head.onnx,manifest.json}``: the embedding
table, transitions, bias and cue words in the npz (numpy at run time), the BiLSTM and output
layer as ONNX (``export_head``). The rules' tags are inputs: after changing the rules, retrain.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import random
import re
import sys
import zlib
from collections import Counter
from pathlib import Path

import numpy as np
import torch

from spinscope.analyzers import quote_tagger as qt
from spinscope.analyzers.quotes import find_quotes
from spinscope.analyzers.quotes.vocab import VERBS
from spinscope.evaluation.quotes import load_polnear
from spinscope.segmentation import sentences
from training.common import REPO, Log, seed_everything
from training.quote_roles import count_roles, gold_labels, role_figures

POLNEAR = REPO.parent / "shared" / "corpora" / "polnear" / "train" / "data" / "train"
SHIP = REPO / "training" / "runs" / "quote_tagger_bilstm"
N_BUCKETS = 1 << 19
_QUOTE_MARKS = set("\"“”‘’'«»")
VERSION = "1.0.0"


def _shape(word: str) -> str:
    if word in _QUOTE_MARKS:
        return "Q"
    if word[0].isdigit():
        return "d"
    if not word[0].isalnum():
        return "p"
    if word.isupper() and len(word) > 1:
        return "X"
    return "Xx" if word[0].isupper() else "x"


def _bucket(n: int) -> str:
    return str(n) if n < 4 else "4-6" if n < 7 else "7-12" if n < 13 else "13+"


def features(
    text: str, tokens: qt.TaggedText, roles: list[str], cue_words: frozenset[str], buckets: int = N_BUCKETS
) -> list[list[int]]:
    """Hashed feature ids (``crc32(name) % buckets``) for every token."""
    words = [text[s:e] for s, e in zip(tokens.starts.tolist(), tokens.ends.tolist(), strict=True)]
    low = [w.lower() for w in words]
    n = len(words)
    sent = tokens.sentence.tolist()
    # position in the sentence, quotation state, nearest cue words
    first = [0] * n
    last = [0] * n
    for i in range(n):
        first[i] = first[i - 1] if i and sent[i - 1] == sent[i] else i
    for i in range(n - 1, -1, -1):
        last[i] = last[i + 1] if i + 1 < n and sent[i + 1] == sent[i] else i
    inside = [False] * n
    state = False
    for i, w in enumerate(words):
        if i and sent[i - 1] != sent[i] and text[tokens.ends[i - 1] : tokens.starts[i]].count("\n") >= 2:
            state = False
        if w in ("“", "„"):
            state = True
        elif w == "”":
            state = False
        elif w == '"':
            state = not state
        inside[i] = state
    cue_left = [-1] * n
    cue_right = [-1] * n
    seen = -1
    for i in range(n):
        if i and sent[i - 1] != sent[i]:
            seen = -1
        cue_left[i] = seen
        if low[i] in cue_words:
            seen = i
    seen = -1
    for i in range(n - 1, -1, -1):
        if i + 1 < n and sent[i + 1] != sent[i]:
            seen = -1
        cue_right[i] = seen
        if low[i] in cue_words:
            seen = i
    out: list[list[int]] = []

    def w(i: int) -> str:
        if i < first_i or i > last_i:
            return "<s>" if i < first_i else "</s>"
        return low[i]

    def r(i: int) -> str:
        return roles[i] if first_i <= i <= last_i else "-"

    for i in range(n):
        first_i, last_i = first[i], last[i]
        names = [
            "b",
            "w=" + low[i],
            "w-1=" + w(i - 1),
            "w+1=" + w(i + 1),
            "w-2=" + w(i - 2),
            "w+2=" + w(i + 2),
            "w-3=" + w(i - 3),
            "w+3=" + w(i + 3),
            "b-=" + w(i - 1) + "|" + low[i],
            "b+=" + low[i] + "|" + w(i + 1),
            "sh=" + _shape(words[i]),
            "sh-1=" + (_shape(words[i - 1]) if i > first_i else "<s>"),
            "sh+1=" + (_shape(words[i + 1]) if i < last_i else "</s>"),
            "suf=" + low[i][-3:],
            "in=" + str(inside[i]),
            "r=" + roles[i],
            "r-1=" + r(i - 1),
            "r+1=" + r(i + 1),
            "r-2=" + r(i - 2),
            "r+2=" + r(i + 2),
            "rw=" + roles[i] + "|" + low[i],
            "pos=" + _bucket(i - first_i),
            "end=" + _bucket(last_i - i),
            "cl=" + (_bucket(i - cue_left[i]) if cue_left[i] >= 0 else "none"),
            "cr=" + (_bucket(cue_right[i] - i) if cue_right[i] >= 0 else "none"),
            "clw=" + (low[cue_left[i]] if cue_left[i] >= 0 else "none"),
            "crw=" + (low[cue_right[i]] if cue_right[i] >= 0 else "none"),
            "in|cl=" + str(inside[i]) + (_bucket(i - cue_left[i]) if cue_left[i] >= 0 else "none"),
        ]
        out.append([zlib.crc32(name.encode("utf-8")) % buckets for name in names])
    return out


def cue_lexicon(articles) -> frozenset[str]:
    """Words marked as cues at least 3 times and in at least 20% of their uses, plus the rules' verbs."""
    word = re.compile(r"[a-z][\w’'\-]*")
    total: Counter[str] = Counter()
    cue: Counter[str] = Counter()
    for article in articles:
        lowered = article.text.lower()
        starts = set()
        for attribution in article.attributions:
            for start, end in attribution.cue:
                starts.update(m.start() for m in word.finditer(lowered, start, end))
        for m in word.finditer(lowered):
            total[m.group()] += 1
            if m.start() in starts:
                cue[m.group()] += 1
    learned = {w for w, c in cue.items() if c >= 3 and c / total[w] >= 0.2}
    return frozenset(learned | set(VERBS) | {"according", "told", "tells", "tell"})


def prepare(articles, cue_words: frozenset[str], log: Log, buckets: int = N_BUCKETS):
    rows = []
    for n, article in enumerate(articles):
        spans = sentences(article.text)
        quotes = find_quotes(article.text, spans)
        tokens = qt.tokenize(article.text, spans)
        if len(tokens.starts) == 0:
            continue
        roles = qt.rule_roles(article.text, tokens, quotes)
        feats = np.asarray(features(article.text, tokens, roles, cue_words, buckets))
        rows.append((feats.astype(np.int32), gold_labels(tokens, article.attributions), tokens.sentence))
        if n % 100 == 0:
            log(f"features: {n}/{len(articles)} articles")
    return rows


def transitions(rows) -> tuple[np.ndarray, np.ndarray]:
    k = len(qt.LABELS)
    trans = np.ones((k, k))
    start = np.ones(k)
    for _, labels, sent in rows:
        for i in range(len(labels)):
            if i == 0 or sent[i] != sent[i - 1]:
                start[labels[i]] += 1
            else:
                trans[labels[i - 1], labels[i]] += 1
    return np.log(trans / trans.sum(1, keepdims=True)), np.log(start / start.sum())


def token_figures(model: torch.nn.EmbeddingBag, rows, trans: np.ndarray, start: np.ndarray) -> dict:
    tp, fp, fn = Counter(), Counter(), Counter()
    with torch.no_grad():
        for feats, labels, sent in rows:
            logits = model(torch.from_numpy(feats.astype(np.int64))).numpy()
            logp = (
                logits
                - np.log(np.exp(logits - logits.max(1, keepdims=True)).sum(1, keepdims=True))
                - logits.max(1, keepdims=True)
            )
            pred = np.zeros(len(labels), np.int64)
            bounds = np.flatnonzero(np.diff(sent)) + 1
            for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(sent)], strict=True):
                pred[lo:hi] = qt.viterbi(logp[lo:hi], trans, start)
            count_roles(pred, labels, tp, fp, fn)
    return role_figures(tp, fp, fn)


class LstmTagger(torch.nn.Module):
    def __init__(self, buckets: int, dim: int, hidden: int, dropout: float) -> None:
        super().__init__()
        self.embed = torch.nn.Embedding(buckets, dim, sparse=True)
        torch.nn.init.normal_(self.embed.weight, std=0.02)
        self.dropout = torch.nn.Dropout(dropout)
        self.lstm = torch.nn.LSTM(dim, hidden, batch_first=True, bidirectional=True)
        self.out = torch.nn.Linear(2 * hidden, len(qt.LABELS))

    def forward(self, feats: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        x = self.dropout(self.embed(feats).sum(2))
        packed = torch.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, _ = self.lstm(packed)
        out, _ = torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=feats.shape[1])
        return self.out(self.dropout(out))


def sentence_items(rows) -> list[tuple[np.ndarray, np.ndarray]]:
    items = []
    for feats, labels, sent in rows:
        bounds = np.flatnonzero(np.diff(sent)) + 1
        for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(sent)], strict=True):
            items.append((feats[lo:hi], labels[lo:hi]))
    return items


def lstm_batch(items) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    longest = max(len(f) for f, _ in items)
    width = items[0][0].shape[1]
    feats = np.zeros((len(items), longest, width), np.int64)
    labels = np.full((len(items), longest), -100, np.int64)
    for k, (f, lab) in enumerate(items):
        feats[k, : len(f)] = f
        labels[k, : len(lab)] = lab
    lengths = torch.tensor([len(f) for f, _ in items])
    return torch.from_numpy(feats), lengths, torch.from_numpy(labels)


@torch.no_grad()
def lstm_logp(model: LstmTagger, items) -> list[np.ndarray]:
    model.eval()
    out = []
    for i in range(0, len(items), 64):
        chunk = items[i : i + 64]
        feats, lengths, _ = lstm_batch(chunk)
        logp = torch.log_softmax(model(feats, lengths), -1).numpy()
        out.extend(logp[k, : len(f)] for k, (f, _) in enumerate(chunk))
    model.train()
    return out


def decode_figures(logps, items, trans: np.ndarray, start: np.ndarray, bias: np.ndarray) -> dict:
    tp, fp, fn = Counter(), Counter(), Counter()
    for logp, (_, labels) in zip(logps, items, strict=True):
        count_roles(qt.viterbi(logp + bias, trans, start), labels, tp, fp, fn)
    return role_figures(tp, fp, fn)


BIASES = [(0, b_s, b_c, b_t) for b_s in (0.0, 0.5, 1.0) for b_c in (0.0, 0.5, 1.0, 1.5) for b_t in (0.0, 0.3)]


def train_lstm(args, train_rows, held_rows, trans: np.ndarray, start: np.ndarray, log: Log) -> tuple[dict, dict]:
    train_items = sentence_items(train_rows)
    held_items = sentence_items(held_rows)
    model = LstmTagger(args.buckets, args.dim, args.hidden, args.dropout)
    lr = args.lr if args.lr_set else 3e-3
    args.effective_lr = lr
    dense = [p for n, p in model.named_parameters() if not n.startswith("embed.")]
    optimizers = [torch.optim.SparseAdam([model.embed.weight], lr=lr), torch.optim.Adam(dense, lr=lr)]
    best, best_state, best_info = -1.0, None, {}
    order = list(range(len(train_items)))
    for epoch in range(args.epochs):
        random.Random(args.seed + epoch).shuffle(order)
        # batches of similar length
        chunks = [order[i : i + 2000] for i in range(0, len(order), 2000)]
        total, count = 0.0, 0
        for chunk in chunks:
            chunk.sort(key=lambda k: len(train_items[k][0]))
            for i in range(0, len(chunk), args.batch):
                feats, lengths, labels = lstm_batch([train_items[k] for k in chunk[i : i + args.batch]])
                logits = model(feats, lengths)
                loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1))
                for optimizer in optimizers:
                    optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(dense, 5.0)
                for optimizer in optimizers:
                    optimizer.step()
                total += loss.item()
                count += 1
        logps = lstm_logp(model, held_items)
        figures = decode_figures(logps, held_items, trans, start, np.zeros(4, np.float32))
        score = figures["S"]["f1"] + figures["C"]["f1"] + figures["T"]["f1"]
        log(f"epoch {epoch + 1}: loss {total / max(count, 1):.4f} held-out token F1 {figures}", epoch=epoch + 1)
        if score > best:
            best = score
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            best_info = {"epoch": epoch + 1, "logps": logps}
    # Bias toward recall of sources and cues where it helps the held-out F1 (S + C + T).
    tried = []
    for b in BIASES:
        figures = decode_figures(best_info["logps"], held_items, trans, start, np.asarray(b, np.float32))
        tried.append((figures["S"]["f1"] + figures["C"]["f1"] + figures["T"]["f1"], b, figures))
    tried.sort(key=lambda t: -t[0])
    _, bias, figures = tried[0]
    log(f"best epoch {best_info['epoch']}, bias {bias}: {figures}")
    state = best_state
    arrays = {
        "weights": state["embed.weight"].numpy().astype(np.float16),
        "w_ih_f": state["lstm.weight_ih_l0"].numpy(),
        "w_hh_f": state["lstm.weight_hh_l0"].numpy(),
        "b_f": (state["lstm.bias_ih_l0"] + state["lstm.bias_hh_l0"]).numpy(),
        "w_ih_b": state["lstm.weight_ih_l0_reverse"].numpy(),
        "w_hh_b": state["lstm.weight_hh_l0_reverse"].numpy(),
        "b_b": (state["lstm.bias_ih_l0_reverse"] + state["lstm.bias_hh_l0_reverse"]).numpy(),
        "w_out": state["out.weight"].numpy(),
        "b_out": state["out.bias"].numpy(),
        "bias": np.asarray(bias, np.float32),
    }
    return arrays, {"epoch": best_info["epoch"], "bias": list(bias), "token": figures}


def export_head(weights_path: Path, onnx_path: Path) -> None:
    """The BiLSTM and output layer of a shipped ``weights.npz`` as ONNX: x (1, T, dim) -> logits (1, T, 4).

    The hashed-feature embedding bag stays in numpy (a lookup and a sum); the recurrent part runs in
    onnxruntime, whose thread settings the runtime controls (numpy's BLAS threads would thrash on
    these small matrices)."""
    data = np.load(weights_path)
    hidden = data["w_hh_f"].shape[1]
    dim = data["w_ih_f"].shape[1]
    lstm = torch.nn.LSTM(dim, hidden, batch_first=True, bidirectional=True)
    out = torch.nn.Linear(2 * hidden, len(qt.LABELS))
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.from_numpy(data["w_ih_f"]))
        lstm.weight_hh_l0.copy_(torch.from_numpy(data["w_hh_f"]))
        lstm.bias_ih_l0.copy_(torch.from_numpy(data["b_f"]))
        lstm.bias_hh_l0.zero_()
        lstm.weight_ih_l0_reverse.copy_(torch.from_numpy(data["w_ih_b"]))
        lstm.weight_hh_l0_reverse.copy_(torch.from_numpy(data["w_hh_b"]))
        lstm.bias_ih_l0_reverse.copy_(torch.from_numpy(data["b_b"]))
        lstm.bias_hh_l0_reverse.zero_()
        out.weight.copy_(torch.from_numpy(data["w_out"]))
        out.bias.copy_(torch.from_numpy(data["b_out"]))

    class Head(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm, self.out = lstm, out

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.out(self.lstm(x)[0])

    head = Head().eval()
    torch.onnx.export(
        head,
        (torch.zeros(1, 7, dim),),
        str(onnx_path),
        input_names=["x"],
        output_names=["logits"],
        dynamic_axes={"x": {1: "tokens"}, "logits": {1: "tokens"}},
        opset_version=17,
        dynamo=False,
    )


def write_manifest(args, weights_path: Path, kind: str, info: dict) -> None:
    manifest = {
        "name": "quote_tagger",
        "version": VERSION,
        "kind": kind,
        "labels": list(qt.LABELS),
        "buckets": args.buckets,
        "file": "weights.npz",
        "sha256": hashlib.sha256(weights_path.read_bytes()).hexdigest(),
        "training": {
            "data": "PolNeAR v1.0.0 train (first annotator per article), 90% of the articles (seeded)",
            "model": args.model,
            "epoch": info["epoch"],
            "epochs": args.epochs,
            "lr": args.effective_lr,
            "hidden": args.hidden if args.model == "lstm" else None,
            "dim": args.dim if args.model == "lstm" else None,
            "dropout": args.dropout if args.model == "lstm" else None,
            "seed": args.seed,
            "decode_bias": info.get("bias"),
            "command": ".venv-train/bin/python -m research.train_quote_tagger",
        },
        "head": "head.onnx" if (weights_path.parent / "head.onnx").exists() else None,
        "head_sha256": hashlib.sha256((weights_path.parent / "head.onnx").read_bytes()).hexdigest()
        if (weights_path.parent / "head.onnx").exists()
        else None,
        "validation": {"data": "PolNeAR train, the other 10% of the articles", "token": info["token"]},
    }
    (SHIP / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=POLNEAR)
    parser.add_argument("--out", type=Path, default=REPO / "training" / "runs" / "quote_tagger")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=0.02)
    parser.add_argument("--weight-decay", type=float, default=1e-7)
    parser.add_argument("--batch", type=int, default=2048)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--model", choices=("lstm", "linear"), default="lstm")
    parser.add_argument("--buckets", type=int, default=1 << 17)
    parser.add_argument("--dim", type=int, default=48)
    parser.add_argument("--hidden", type=int, default=96)
    parser.add_argument("--dropout", type=float, default=0.2)
    args = parser.parse_args()
    args.lr_set = any(a.startswith("--lr") for a in sys.argv)
    args.effective_lr = args.lr
    if args.model == "lstm" and args.batch == 2048:
        args.batch = 64  # sentences per batch
    if args.model == "linear":
        args.buckets = N_BUCKETS
    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    log = Log(args.out / "log.jsonl")
    articles = list(load_polnear(args.data))
    random.Random(args.seed).shuffle(articles)
    if args.limit:
        articles = articles[: args.limit]
    held = max(1, len(articles) // 10)
    train_articles, held_articles = articles[held:], articles[:held]
    cue_words = cue_lexicon(train_articles)
    log(f"{len(train_articles)} train / {len(held_articles)} held-out articles; {len(cue_words)} cue words")
    cache = args.out / f"rows-{args.buckets}-{args.seed}-{args.limit}.pkl"
    if cache.exists():
        train_rows, held_rows = pickle.loads(cache.read_bytes())
        log(f"features from {cache}")
    else:
        train_rows = prepare(train_articles, cue_words, log, args.buckets)
        held_rows = prepare(held_articles, cue_words, log, args.buckets)
        cache.write_bytes(pickle.dumps((train_rows, held_rows)))
    trans, start = transitions(train_rows)
    SHIP.mkdir(parents=True, exist_ok=True)
    weights_path = SHIP / "weights.npz"
    if args.model == "lstm":
        arrays, info = train_lstm(args, train_rows, held_rows, trans, start, log)
        np.savez_compressed(
            weights_path,
            **arrays,
            transitions=trans.astype(np.float32),
            start=start.astype(np.float32),
            cue_words=np.asarray(sorted(cue_words)),
        )
        export_head(weights_path, SHIP / "head.onnx")
        write_manifest(args, weights_path, "hashed features -> embedding bag (numpy) -> BiLSTM (ONNX) -> Viterbi", info)
        log(f"shipped {weights_path} ({weights_path.stat().st_size} bytes)")
        return
    feats = np.concatenate([r[0] for r in train_rows])
    labels = np.concatenate([r[1] for r in train_rows])
    log(f"{len(labels)} training tokens; label counts {np.bincount(labels).tolist()}")
    model = torch.nn.EmbeddingBag(N_BUCKETS, len(qt.LABELS), mode="sum")
    torch.nn.init.zeros_(model.weight)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    best, best_state, best_epoch = -1.0, None, 0
    order = np.arange(len(labels))
    for epoch in range(args.epochs):
        np.random.default_rng(args.seed + epoch).shuffle(order)
        total = 0.0
        for i in range(0, len(order), args.batch):
            idx = order[i : i + args.batch]
            logits = model(torch.from_numpy(feats[idx].astype(np.int64)))
            loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(labels[idx]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        figures = token_figures(model, held_rows, trans, start)
        mean_f1 = float(np.mean([f["f1"] for f in figures.values()]))
        log(f"epoch {epoch + 1}: loss {total / len(order):.4f} held-out token F1 {figures}", epoch=epoch + 1)
        if mean_f1 > best:
            best, best_epoch = mean_f1, epoch + 1
            best_state = model.weight.detach().clone().numpy()
            best_figures = figures
    np.savez_compressed(
        weights_path,
        weights=best_state.astype(np.float16),
        transitions=trans.astype(np.float32),
        start=start.astype(np.float32),
        cue_words=np.asarray(sorted(cue_words)),
    )
    write_manifest(
        args,
        weights_path,
        "hashed-feature multinomial logistic regression + Viterbi (numpy)",
        {"epoch": best_epoch, "token": best_figures},
    )
    log(f"shipped {weights_path} ({weights_path.stat().st_size} bytes), best epoch {best_epoch}")


if __name__ == "__main__":
    main()
