set -x
export SPINSCOPE_BASE_ENCODER=$PWD/.devcarry/base
ls /tmp/r4/soft.pt || exit 3
mkdir -p /tmp/r5/u1@14 /tmp/r5/u1@15 /tmp/r5/u2@13 /tmp/r5/q-e8
cd training
C="--ptc ../.devcarry/ptc --freeze-word-embeddings --threads 2 --epochs 10 --max-tokens 512 --batch 8 --eval-from 5 --soft-weight 0.5 --soft-targets /tmp/r4/soft.pt"
python train_tagger.py $C --seed 14 --unlabeled-share 1.0 --out /tmp/r5/u1@14 > /tmp/r5/u1@14/stdout.log 2>&1 &
python train_tagger.py $C --seed 15 --unlabeled-share 1.0 --out /tmp/r5/u1@15 > /tmp/r5/u1@15/stdout.log 2>&1 &
python train_tagger.py $C --seed 13 --unlabeled-share 2.0 --out /tmp/r5/u2@13 > /tmp/r5/u2@13/stdout.log 2>&1 &
python train_quote_encoder.py train --data ../.devcarry/quotes.pkl.gz --out /tmp/r5/q-e8 --epochs 8 --role-weight 2 --threads 2 > /tmp/r5/q-e8/stdout.log 2>&1 &
wait
python - <<'PY'
import json, os, torch
from pathlib import Path
from gpu_sweep import pack
out = Path(os.environ["OUT"])
runs = {p.parent.name: json.loads(p.read_text()) for p in Path("/tmp/r5").glob("*/metrics.json")}
summary = {n: {k: v for k, v in m.items() if k != "val_articles"} for n, m in runs.items()}
tag = {n: m["validation_si"]["f1"] for n, m in runs.items() if "validation_si" in m}
print(json.dumps({n: (m.get("validation_si") or m.get("token")) for n, m in summary.items()}, indent=1))
best = max(tag, key=tag.get)
ck = torch.load(f"/tmp/r5/{best}/best.pt", map_location="cpu", weights_only=False)
summary["tagger"] = {"run": best, "f1": tag[best], "parts": pack("tagger5", ck["model"], {"thresholds": ck["thresholds"], "metrics": summary[best], "name": best}, out)}
if "q-e8" in runs:
    ck = torch.load("/tmp/r5/q-e8/best.pt", map_location="cpu", weights_only=False)
    summary["quotes"] = {"run": "q-e8", "mean_f1": runs["q-e8"]["mean_f1"], "parts": pack("quotes5", ck["model"], {k: v for k, v in ck.items() if k != "model"} | {"name": "q-e8"}, out)}
(out / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
PY
