"""Benchmark of chapter 8: RNN, GRU and LSTM side by side on chapter 7's memory task and on
chapter 6's sine case study, at equal hidden size and at roughly equal parameter count.

Run it as ``.venv/bin/python tests/bench_gru.py`` (``make bench`` runs it too). It writes one small
JSON file, by default ``_build/bench/gru.json``; the book's copy, which chapter 8 loads and
re-checks, is ``book/data/gru.json`` (``--out book/data/gru.json`` refreshes it).

- The memory task: the networks that ``tests/bench_memory.py`` (``book/data/memory.json``) does not
  already hold, trained exactly as it trains them (``helpers.train_memory``, 600 Adam steps, then
  ``helpers.memory_accuracy`` on 1000 held-out sequences): a GRU whose update gate starts closed
  (``set_update_bias``, b_z = 5) with 32 units, and GRUs and LSTMs with about the parameters of the
  32-unit RNN (sizes from ``equal_size``).
- The sine: chapter 6's better recipe (``helpers.train_better_recipe``) with ``cell="rnn"``, ``"gru"``
  and ``"lstm"``, 16 units each and at about the 16-unit RNN's parameter count, several seeds; the
  held-out free-running errors of ``helpers.forecast_table`` on chapter 6's 256 held-out phases.

It is a benchmark, not a test: pytest does not collect it, and importing it runs nothing. Each run
uses one CPU thread (``--threads``).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench_memory import DISTANCES, EVAL_SEED, EVAL_SEQUENCES, STEPS, task, write_results  # tests/ is on sys.path
from bench_memory import SEEDS as MEMORY_SEEDS

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "_build" / "bench" / "gru.json"
SINE_SEEDS = (0, 1, 2)
FEATURES, SYMBOLS = 16, 8          # the memory task: 8 symbols + 8 distractors in, 8 scores out


def total_parameters(kind: str, input_size: int, hidden_size: int, outputs: int) -> int:
    """The recurrent layer's parameters (``helpers.count_parameters``) plus a linear read-out's."""
    from helpers import count_parameters

    return count_parameters(kind, input_size, hidden_size) + outputs * hidden_size + outputs


def equal_size(kind: str, input_size: int, outputs: int, target: int) -> int:
    """The hidden size whose total parameter count is closest to ``target`` (the smaller one on a tie)."""
    sizes = range(1, 200)
    return min(sizes, key=lambda H: (abs(total_parameters(kind, input_size, H, outputs) - target), H))


def memory_configs() -> dict:
    """name -> ``MemoryNet`` settings."""
    rnn_total = total_parameters("rnn", FEATURES, 32, SYMBOLS)
    gru, lstm = (equal_size(kind, FEATURES, SYMBOLS, rnn_total) for kind in ("gru", "lstm"))
    return {
        "gru_bz5": {"kind": "gru", "hidden_size": 32, "update_bias": 5.0},
        f"gru_h{gru}": {"kind": "gru", "hidden_size": gru},
        f"gru_bz5_h{gru}": {"kind": "gru", "hidden_size": gru, "update_bias": 5.0},
        f"lstm_h{lstm}": {"kind": "lstm", "hidden_size": lstm},
        f"lstm_bf5_bi-5_h{lstm}": {"kind": "lstm", "hidden_size": lstm, "forget_bias": 5.0, "input_bias": -5.0},
    }


def sine_configs() -> dict:
    """name -> ``train_better_recipe`` settings (cell, hidden_size)."""
    rnn_total = total_parameters("rnn", 1, 16, 1)
    configs = {f"{cell}_h16": {"cell": cell, "hidden_size": 16} for cell in ("rnn", "gru", "lstm")}
    for cell in ("gru", "lstm"):
        H = equal_size(cell, 1, 1, rnn_total)
        configs[f"{cell}_h{H}"] = {"cell": cell, "hidden_size": H}
    return configs


def run(parts=("memory", "sine"), threads: int = 1, out: Path = OUT) -> dict:
    """Train and measure every network of each part; write the results to ``out``; return them."""
    import torch

    from helpers import forecast_table, heldout_phases, run_memory, train_better_recipe

    torch.set_num_threads(threads)
    results: dict = {}
    if "memory" in parts:
        configs = memory_configs()
        memory = {"task": {key: value for key, value in task().items() if key != "hidden_size"},
                  "distances": list(DISTANCES), "seeds": list(MEMORY_SEEDS), "configs": configs,
                  "accuracy": {}, "train_seconds": {}}
        for name, kwargs in configs.items():
            memory["accuracy"][name], memory["train_seconds"][name] = {}, {}
            for L in DISTANCES:
                points = [run_memory(L, seed=seed, steps=STEPS, eval_sequences=EVAL_SEQUENCES, eval_seed=EVAL_SEED,
                                     **kwargs) for seed in MEMORY_SEEDS]
                memory["accuracy"][name][str(L)] = [round(p["accuracy"], 4) for p in points]
                memory["train_seconds"][name][str(L)] = round(sum(p["seconds"] for p in points) / len(points), 2)
                print(f"memory {name:20s} L={L:<4d} accuracy {[p['accuracy'] for p in points]}  "
                      f"{memory['train_seconds'][name][str(L)]:.1f} s per seed", flush=True)
        results["memory"] = memory
    if "sine" in parts:
        configs = sine_configs()
        phases = heldout_phases(256, seed=2024)
        sine = {"configs": configs, "seeds": list(SINE_SEEDS), "warmups": [2, 3, 5, 10], "horizons": [39, 200],
                "mse": {}, "train_seconds": {}}
        for name, kwargs in configs.items():
            sine["mse"][name], sine["train_seconds"][name] = {}, {}
            for seed in SINE_SEEDS:
                start = time.perf_counter()
                model, _ = train_better_recipe(seed=seed, **kwargs)
                seconds = time.perf_counter() - start
                table = forecast_table(model, phases, warmups=(2, 3, 5, 10), horizons=(39, 200))
                sine["mse"][name][str(seed)] = {f"{w},{h}": float(f"{v:.3e}") for (w, h), v in table.items()}
                sine["train_seconds"][name][str(seed)] = round(seconds, 2)
                print(f"sine   {name:10s} seed={seed}  " + " ".join(f"{k}:{v:.1e}" for k, v in table.items())
                      + f"  {seconds:.1f} s", flush=True)
        results["sine"] = sine
    return write_results(results, out, threads)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", nargs="*", default=["memory", "sine"], choices=["memory", "sine"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    start = time.perf_counter()
    run(args.parts, args.threads, args.out)
    print(f"wrote {args.out} in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
