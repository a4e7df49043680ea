"""5-fold cross-validation of the technique tagger over all PTC train articles, by article, on CPU.

    python -m training.cv_tagger --out training/runs/cv              # train the folds left, then score
    python -m training.cv_tagger --out training/runs/cv --score-only # score the folds done so far

Folds come from ``training/ptc_cv_folds.json`` (written on first use: article ids shuffled with a fixed seed,
dealt round-robin into 5 folds). Per fold a tagger of ``training.train_tagger`` (MiniLM-L6 + casing features,
15 sigmoid outputs per word piece, frozen word embeddings, gold labels only) trains on the other four folds
and predicts the held-out one. Everything resumes: ``OUT/fold{k}/last.pt`` is written every ``--save-every``
optimizer steps and at each epoch's end, and a fold with ``oof.npz`` is done and skipped.

Outputs, per fold ``k`` in ``OUT/fold{k}/``:

- ``oof.npz``: the out-of-fold predictions, read as the runtime reads an article (central windows; see
  :func:`load_oof`, which loads them);
- ``si-pred.txt`` (``id<TAB>start<TAB>end``) and ``tc-pred.txt`` (``id<TAB>technique<TAB>start<TAB>end``, the
  gold spans labelled with the technique channel of highest mean probability over the span): SemEval format;
- ``fold.json``: sizes, times and throughput; ``model.pt``: the fold's weights (fp16, for later teachers).

``OUT/scores.json`` holds SI and TC per fold and their mean and sample sd. SI thresholds for fold ``k`` are
tuned on the out-of-fold predictions of the other finished folds (cross-fitted, so no fold chooses its own);
with one fold done the shipped tagger's thresholds are used and the figures say so.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from training.ptc import DEFAULT_PTC, TECHNIQUES, PTCArticle, gold_lines, load_ptc

REPO = Path(__file__).resolve().parents[1]
FOLDS_FILE = REPO / "training" / "ptc_cv_folds.json"
FOLD_SEED = 20261207
SHIPPED_THRESHOLDS = {"low": 0.15, "high": 0.35}  # src/spinscope/models/techniques-tagger/manifest.json
N_CHANNELS = 1 + len(TECHNIQUES)


@dataclass
class OOFArticle:
    """One article's out-of-fold tagger outputs."""

    fold: int
    probs: np.ndarray  # (n_pieces, 15) float16 sigmoid outputs: channel 0 "any technique", 1-14 TECHNIQUES
    offsets: np.ndarray  # (n_pieces, 2) int32 character offsets into the article text, end exclusive


def load_oof(out: Path = REPO / "training" / "runs" / "cv") -> dict[str, OOFArticle]:
    """Every finished fold's out-of-fold predictions under ``out``, by PTC article id.

    Each ``out/fold{k}/oof.npz`` holds ``article_ids`` (str, n_articles), ``starts`` (int64, n_articles + 1:
    article i's pieces are rows ``starts[i]:starts[i+1]``), ``probs`` (float16, n_pieces x 15: channel 0 is
    "inside any technique span", channel 1 + i is ``training.ptc.TECHNIQUES[i]``), ``offsets`` (int32,
    n_pieces x 2: each word piece's character span in the article, end exclusive; no [CLS]/[SEP]) and ``meta``
    (a JSON string: fold, epochs, window, reading, seed, steps). The outputs are read as the runtime reads an
    article (central windows of ``window`` pieces, margin 64: spinscope.runtime.trunk), from the fold's last
    epoch, in fp32 torch (not the int8 ONNX export). Example::

        oof = load_oof(Path("training/runs/cv"))
        a = oof["111111111"]; spans = decode_spans(text, pieces(a), a.probs[:, 0].astype("float32"), 0.15, 0.35)
    """
    articles: dict[str, OOFArticle] = {}
    for path in sorted(Path(out).glob("fold*/oof.npz")):
        with np.load(path) as data:
            fold = json.loads(str(data["meta"]))["fold"]
            starts, probs, offsets = data["starts"], data["probs"], data["offsets"]
            for i, article_id in enumerate(data["article_ids"]):
                a, b = starts[i], starts[i + 1]
                articles[str(article_id)] = OOFArticle(fold, probs[a:b], offsets[a:b])
    return articles


def pieces(item: OOFArticle):
    """A TokenizedText with only the offsets filled in: what ``decode_spans`` reads."""
    from spinscope.runtime.encoding import N_CASE_FEATURES, TokenizedText

    n = len(item.offsets)
    return TokenizedText(np.zeros(n, np.int64), item.offsets.astype(np.int64), np.zeros((n, N_CASE_FEATURES)))


def make_folds(ids: list[str], n_folds: int, seed: int = FOLD_SEED) -> list[list[str]]:
    shuffled = sorted(ids)
    random.Random(seed).shuffle(shuffled)
    return [sorted(shuffled[k::n_folds]) for k in range(n_folds)]


def read_or_write_folds(path: Path, ids: list[str], n_folds: int) -> list[list[str]]:
    """The fold file's folds; written on first use. A file for other articles is an error, not overwritten."""
    if path.exists():
        folds = json.loads(path.read_text())["folds"]
        if sorted(i for f in folds for i in f) != sorted(ids) or len(folds) != n_folds:
            raise SystemExit(f"{path} lists other articles or another number of folds; pass --folds-file")
        return folds
    folds = make_folds(ids, n_folds)
    record = {"seed": FOLD_SEED, "n_folds": n_folds, "rule": "sorted ids, random.Random(seed).shuffle, k::n"}
    path.write_text(json.dumps({**record, "folds": folds}, indent=1) + "\n")
    return folds


def atomic_save(obj: object, path: Path) -> None:
    """Save then rename, so that a kill during the write leaves the previous checkpoint whole."""
    import torch

    tmp = path.with_suffix(".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def hms(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return (
        f"{seconds // 3600}h{seconds % 3600 // 60:02d}m" if seconds >= 3600 else f"{seconds // 60}m{seconds % 60:02d}s"
    )


def train_fold(
    k: int,
    train: list[PTCArticle],
    held: list[PTCArticle],
    args: argparse.Namespace,
    log,
    folds_left: int,
) -> None:
    """Train fold ``k``'s tagger (resuming from its last.pt) and write its out-of-fold predictions."""
    import torch

    from spinscope.runtime.encoding import load_tokenizer, tokenize_text
    from training.common import (
        base_encoder_dir,
        encoder_head_optimizer,
        freeze_word_embeddings,
        linear_schedule,
        pick_device,
        use_encoder_special_ids,
    )
    from training.train_tagger import (
        Tagger,
        epoch_windows,
        token_labels,
        train_step,
        window_logits,
    )

    fold_dir = args.out / f"fold{k}"
    fold_dir.mkdir(parents=True, exist_ok=True)
    device = pick_device(args.device)
    torch.manual_seed(args.seed + k)
    encoder_dir = base_encoder_dir()
    use_encoder_special_ids(encoder_dir)
    tokenizer = load_tokenizer(encoder_dir / "tokenizer.json")
    train_tok = [tokenize_text(tokenizer, a.text) for a in train]
    items = list(zip(train_tok, [token_labels(a, t) for a, t in zip(train, train_tok, strict=True)], strict=True))

    def windows_of(epoch: int):
        # Deterministic per (fold, epoch), so that a resumed epoch sees the same batches in the same order.
        rng = random.Random(args.seed * 1000 + k * 100 + epoch)
        windows = epoch_windows(items, rng, args.max_tokens)
        rng.shuffle(windows)
        return windows

    per_epoch = [-(-len(windows_of(e)) // args.batch) for e in range(args.epochs)]
    total = sum(per_epoch)
    if args.max_steps:
        total = min(total, args.max_steps)
    model = Tagger(encoder_dir)
    freeze_word_embeddings(model.encoder)
    model.to(device)
    optimizer = encoder_head_optimizer(model, args.lr, args.head_lr)
    scheduler = linear_schedule(optimizer, max(1, total // 20), total)
    last = fold_dir / "last.pt"
    epoch0, batch0, done_steps, info = 0, 0, 0, {"train_s": 0.0, "pieces": 0}
    if last.exists():
        state = torch.load(last, weights_only=False, map_location="cpu")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        torch.set_rng_state(state["torch_rng"])
        epoch0, batch0, done_steps, info = state["epoch"], state["batch"], state["steps"], state["info"]
        log(f"fold {k}: resumed at epoch {epoch0 + 1} batch {batch0} ({done_steps}/{total} steps)")
    log(
        f"fold {k}: {len(train)} train / {len(held)} held-out articles, "
        f"{sum(len(t.ids) for t in train_tok)} train pieces, {total} steps of {args.batch} x {args.max_tokens}, "
        f"on {device}"
    )

    def checkpoint(epoch: int, batch: int) -> None:
        state = {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "torch_rng": torch.get_rng_state(),
            "epoch": epoch,
            "batch": batch,
            "steps": done_steps,
            "info": info,
        }
        atomic_save(state, last)

    started, session_steps, process_steps, running = time.time(), 0, 0, None
    for epoch in range(epoch0, args.epochs):
        if done_steps >= total:
            break
        model.train()
        windows = windows_of(epoch)
        first = batch0 if epoch == epoch0 else 0
        for b in range(first, per_epoch[epoch]):
            chunk = windows[b * args.batch : (b + 1) * args.batch]
            loss, mask = train_step(model, optimizer, scheduler, chunk, device, args.any_weight)
            done_steps += 1
            session_steps += 1
            process_steps += 1
            info["pieces"] += int(mask.sum())
            running = loss.item() if running is None else 0.95 * running + 0.05 * loss.item()
            elapsed = time.time() - started
            if done_steps % args.log_every == 0 or done_steps == total:
                per_step = elapsed / session_steps
                left = (total - done_steps) * per_step
                log(
                    f"fold {k} epoch {epoch + 1}/{args.epochs} step {done_steps}/{total} loss {running:.4f} "
                    f"{info['pieces'] / (info['train_s'] + elapsed):.0f} pieces/s; fold ETA {hms(left)}, "
                    f"all folds ETA {hms(left + (folds_left - 1) * total * per_step)}"
                )
            if done_steps % args.save_every == 0 or process_steps == args.stop_after:
                info["train_s"] += time.time() - started
                started, session_steps = time.time(), 0
                checkpoint(epoch, b + 1)
            if args.stop_after and process_steps >= args.stop_after:
                log(f"fold {k}: stopped after {args.stop_after} steps as asked (--stop-after); rerun to resume")
                raise SystemExit(3)
            if done_steps >= total:
                break
        info["train_s"] += time.time() - started
        started, session_steps = time.time(), 0
        checkpoint(epoch + 1, 0)
        log(f"fold {k}: epoch {epoch + 1} done ({done_steps}/{total} steps, {hms(info['train_s'])} training)")

    t0 = time.time()
    predictions = []
    for article in held:
        tokens = tokenize_text(tokenizer, article.text)
        if args.margin:
            logits = central_logits(model, tokens, args.max_tokens, args.margin)
        else:
            logits = window_logits(model, tokens, args.max_tokens, args.max_tokens // 2, batch=16)
        predictions.append((article.id, (1 / (1 + np.exp(-logits))).astype(np.float16), tokens.offsets))
    meta = {
        "fold": k,
        "epochs": args.epochs,
        "window": args.max_tokens,
        "reading": f"central windows, margin {args.margin}" if args.margin else "half-overlapping windows averaged",
        "seed": args.seed,
        "steps": done_steps,
    }
    lengths = [len(p) for _, p, _ in predictions]
    tmp = fold_dir / "oof.tmp.npz"
    np.savez_compressed(
        tmp,
        article_ids=np.array([i for i, _, _ in predictions]),
        starts=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        probs=np.concatenate([p for _, p, _ in predictions]),
        offsets=np.concatenate([o for _, _, o in predictions]).astype(np.int32),
        meta=np.array(json.dumps(meta)),
    )
    predict_s = time.time() - t0
    weights = {n: v.half() for n, v in model.state_dict().items() if v.is_floating_point()}
    torch.save({"model": weights, "meta": meta}, fold_dir / "model.pt")
    info = {
        **meta,
        "train_articles": len(train),
        "held_articles": len(held),
        "train_s": round(info["train_s"]),
        "train_pieces_incl_specials": info["pieces"],
        "train_pieces_per_s": round(info["pieces"] / max(info["train_s"], 1e-9)),
        "predict_s": round(predict_s),
        "predict_pieces": sum(lengths),
        "device": str(device),
        "threads": torch.get_num_threads(),
    }
    info["any_span_spread"] = probability_spread(predictions)
    if info["any_span_spread"] < COLLAPSED_SPREAD:
        # a model that learned only the base rate gives every piece the same probability: say so, loudly
        log(
            f"fold {k}: WARNING the held-out 'any technique' probabilities span only {info['any_span_spread']:.3f} "
            "(1st to 99th percentile): the model predicts the base rate everywhere (collapsed training)"
        )
    (fold_dir / "fold.json").write_text(json.dumps(info, indent=1) + "\n")
    os.replace(tmp, fold_dir / "oof.npz")  # last: its presence marks the fold done
    last.unlink(missing_ok=True)
    log(f"fold {k} done: {info}")


COLLAPSED_SPREAD = 0.05


def probability_spread(predictions: list[tuple[str, np.ndarray, np.ndarray]]) -> float:
    """1st-to-99th percentile range of channel 0 ("inside any technique span") over the held-out pieces. A
    tagger that learned something spreads it over most of [0, 1] (MiniLM fold 0: max 0.87); the MPNet run
    of 2026-12-08 that learned only the base rate gave 0.12-0.14 everywhere."""
    any_span = np.concatenate([p[:, 0] for _, p, _ in predictions]).astype(np.float32)
    low, high = np.percentile(any_span, [1, 99]) if len(any_span) else (0.0, 0.0)
    return round(float(high - low), 4)


def central_logits(model, tokens, window: int, margin: int, batch: int = 16) -> np.ndarray:
    """Per-piece logits read as the runtime reads an article (spinscope.runtime.trunk): each piece from the one
    window where it has ``margin`` pieces of context on both sides, so the out-of-fold outputs are the shipped
    reading's, not the averaged one train_tagger validates with."""
    import torch

    from spinscope.runtime.encoding import pad_batch
    from spinscope.runtime.trunk import central_windows, stitch, window_inputs
    from training.common import attention_mask
    from training.train_tagger import autocast

    model.eval()
    device = next(model.parameters()).device
    windows = central_windows(len(tokens.ids), window, margin)
    outputs: list[np.ndarray] = []
    with torch.no_grad():
        for i in range(0, len(windows), batch):
            chunk = [window_inputs(tokens, w) for w in windows[i : i + batch]]
            ids = torch.from_numpy(pad_batch([c[0] for c in chunk])).to(device)
            case = torch.from_numpy(pad_batch([c[1] for c in chunk])).to(device)
            with autocast(device):
                out = model(ids, attention_mask([c[0] for c in chunk], ids.shape[1]), case).float().cpu().numpy()
            outputs.extend(out[n, : len(c[0])] for n, c in enumerate(chunk))
    return stitch(len(tokens.ids), windows, outputs) if windows else np.zeros((0, N_CHANNELS), np.float32)


def tune_thresholds(articles: list[PTCArticle], oof: dict[str, OOFArticle]) -> dict[str, float]:
    from training.train_tagger import tune_thresholds as tune

    probs = [oof[a.id].probs.astype(np.float32) for a in articles]
    thresholds, _ = tune(articles, [pieces(oof[a.id]) for a in articles], probs)
    return thresholds


def fold_predictions(
    articles: list[PTCArticle], oof: dict[str, OOFArticle], thresholds: dict[str, float]
) -> tuple[list[tuple[str, str, int, int]], list[tuple[str, str, int, int]]]:
    """(SI spans decoded from channel 0, gold spans labelled with the technique of highest mean probability)."""
    from spinscope.runtime.encoding import decode_spans

    si, tc = [], []
    for article in articles:
        item = oof[article.id]
        probs = item.probs.astype(np.float32)
        for start, end, _ in decode_spans(
            article.text, pieces(item), probs[:, 0], thresholds["low"], thresholds["high"]
        ):
            si.append((article.id, "?", start, end))
        for _, start, end in article.spans:
            hit = (item.offsets[:, 1] > start) & (item.offsets[:, 0] < end)
            channel = probs[hit, 1:].mean(axis=0) if hit.any() else np.zeros(len(TECHNIQUES))
            tc.append((article.id, TECHNIQUES[int(channel.argmax())], start, end))
    return si, tc


def score(out: Path, articles: list[PTCArticle], folds: list[list[str]], log) -> dict:
    from spinscope.scoring import score_si, score_tc

    oof = load_oof(out)
    by_id = {a.id: a for a in articles}
    done = sorted({item.fold for item in oof.values()})
    per_fold: dict[str, dict] = {}
    for k in done:
        held = [by_id[i] for i in folds[k]]
        others = [by_id[i] for f in done if f != k for i in folds[f]]
        thresholds = tune_thresholds(others, oof) if others else SHIPPED_THRESHOLDS
        si, tc = fold_predictions(held, oof, thresholds)
        with open(out / f"fold{k}" / "si-pred.txt", "w", encoding="utf-8") as handle:
            handle.writelines(f"{i}\t{s}\t{e}\n" for i, _, s, e in si)
        with open(out / f"fold{k}" / "tc-pred.txt", "w", encoding="utf-8") as handle:
            handle.writelines(f"{i}\t{t}\t{s}\t{e}\n" for i, t, s, e in tc)
        prf = score_si(si, gold_lines(held))
        tc_scores = score_tc(tc, gold_lines(held))
        per_fold[str(k)] = {
            "si": {"precision": prf.precision, "recall": prf.recall, "f1": prf.f1},
            "tc_micro_f1": tc_scores.micro.f1,
            "thresholds": thresholds,
            "thresholds_from": f"folds {[f for f in done if f != k]}" if others else "shipped tagger",
        }
        log(
            f"fold {k}: SI P {prf.precision:.3f} R {prf.recall:.3f} F1 {prf.f1:.3f}, TC micro-F1 "
            f"{tc_scores.micro.f1:.3f} (thresholds {thresholds} from {per_fold[str(k)]['thresholds_from']})"
        )

    def spread(values: list[float]) -> dict[str, float | None]:
        sd = statistics.stdev(values) if len(values) > 1 else None  # None, not NaN: scores.json stays JSON
        return {"mean": statistics.mean(values), "sd": sd, "n": len(values)}

    result: dict = {"folds": per_fold}
    if per_fold:
        result["si_f1"] = spread([f["si"]["f1"] for f in per_fold.values()])
        result["si_precision"] = spread([f["si"]["precision"] for f in per_fold.values()])
        result["si_recall"] = spread([f["si"]["recall"] for f in per_fold.values()])
        result["tc_micro_f1"] = spread([f["tc_micro_f1"] for f in per_fold.values()])
        log(
            f"{len(per_fold)} folds: SI F1 {result['si_f1']['mean']:.3f} ± {result['si_f1']['sd'] or 0:.3f}, "
            f"TC micro-F1 {result['tc_micro_f1']['mean']:.3f} ± {result['tc_micro_f1']['sd'] or 0:.3f} "
            "(mean ± sample sd)"
        )
    (out / "scores.json").write_text(json.dumps(result, indent=1) + "\n")
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ptc", type=Path, default=DEFAULT_PTC)
    parser.add_argument("--out", type=Path, default=REPO / "training" / "runs" / "cv")
    parser.add_argument("--folds-file", type=Path, default=FOLDS_FILE)
    parser.add_argument("--n-folds", type=int, default=5)
    parser.add_argument("--only-folds", default="", help="comma-separated fold numbers to train (default: all)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=256, help="training and prediction window")
    parser.add_argument(
        "--margin", type=int, default=64, help="read held-out articles as the runtime does (0: averaged windows)"
    )
    parser.add_argument("--lr", type=float, default=8e-5)
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--any-weight", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="auto", help="auto (GPU when torch sees one), cpu or cuda")
    parser.add_argument("--max-steps", type=int, default=0, help="stop each fold after N steps (timing, smoke)")
    parser.add_argument("--save-every", type=int, default=100, help="checkpoint every N optimizer steps")
    parser.add_argument("--log-every", type=int, default=20)
    parser.add_argument("--score-only", action="store_true", help="score the finished folds, train nothing")
    parser.add_argument(
        "--stop-after", type=int, default=0, help="exit after N steps in this process, checkpointed (resume tests)"
    )
    args = parser.parse_args(argv)
    from training.common import Log

    args.out.mkdir(parents=True, exist_ok=True)
    log = Log(args.out / "log.jsonl")
    articles = load_ptc(args.ptc)
    folds = read_or_write_folds(args.folds_file, [a.id for a in articles], args.n_folds)
    if not args.score_only:
        import torch

        torch.set_num_threads(args.threads)
        wanted = [int(k) for k in args.only_folds.split(",") if k.strip()] or list(range(args.n_folds))
        todo = [k for k in wanted if not (args.out / f"fold{k}" / "oof.npz").exists()]
        log(f"{len(articles)} articles, folds {wanted}; to train: {todo}; config {vars(args)}")
        for n, k in enumerate(todo):
            held_ids = set(folds[k])
            train = [a for a in articles if a.id not in held_ids]
            held = [a for a in articles if a.id in held_ids]
            train_fold(k, train, held, args, log, folds_left=len(todo) - n)
            score(args.out, articles, folds, log)
    else:
        score(args.out, articles, folds, log)


if __name__ == "__main__":
    main()
