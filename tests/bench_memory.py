"""Benchmark of chapter 7 (and 8): the memory task, trained for every network, distance and seed.

Run it as ``.venv/bin/python tests/bench_memory.py`` (or ``make bench``). For every network of
``helpers.MEMORY_CONFIGS`` (or those given with ``--configs``), every distance L and every seed it
runs ``helpers.run_memory`` (600 Adam steps on fresh batches of 64, then the accuracy on 1000
held-out sequences) and writes a small JSON file: the accuracies, the training losses averaged over
the seeds in windows of 20 steps, the training times, and the settings. By default it writes
``_build/bench/memory.json``; the book's copy, which chapter 7 loads and re-checks, is
``book/data/memory.json`` (``--out book/data/memory.json`` refreshes it). It is a benchmark, not a
test: pytest does not collect it, and importing it runs nothing.

Each run uses one CPU thread (``--threads``): the networks are small, and on a shared machine a
second thread mostly waits.
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "_build" / "bench" / "memory.json"
DISTANCES = (5, 10, 20, 50, 100, 200)
SEEDS = (0, 1, 2)
STEPS = 600
WINDOW = 20          # training losses are stored as means over windows of this many steps
EVAL_SEQUENCES = 1000
EVAL_SEED = 2024


def task(steps: int = STEPS) -> dict:
    """The settings every point shares (the defaults of ``MemoryNet`` and ``train_memory``), as recorded."""
    return {"num_symbols": 8, "num_distractors": 8, "hidden_size": 32, "steps": steps, "batch_size": 64,
            "lr": 0.01, "clip": 1.0, "eval_sequences": EVAL_SEQUENCES, "eval_seed": EVAL_SEED}


def run(configs=None, distances=DISTANCES, seeds=SEEDS, threads: int = 1, out: Path = OUT,
        steps: int = STEPS) -> dict:
    """Train and evaluate every (network, distance, seed); write the results to ``out``; return them."""
    import torch

    from helpers import MEMORY_CONFIGS, run_memory

    if steps % WINDOW:
        raise ValueError(f"steps must be a multiple of {WINDOW}, got {steps}")
    torch.set_num_threads(threads)
    configs = list(configs or MEMORY_CONFIGS)
    results = {
        "task": task(steps),
        "distances": list(distances),
        "seeds": list(seeds),
        "window": WINDOW,
        "configs": {name: MEMORY_CONFIGS[name][1] for name in configs},
        "accuracy": {},
        "loss_windows": {},
        "train_seconds": {},
    }
    for name in configs:
        kwargs = MEMORY_CONFIGS[name][1]
        results["accuracy"][name], results["loss_windows"][name], results["train_seconds"][name] = {}, {}, {}
        for L in distances:
            accuracies, windows, seconds = [], [], []
            for seed in seeds:
                point = run_memory(L, seed=seed, steps=steps, eval_sequences=EVAL_SEQUENCES, eval_seed=EVAL_SEED,
                                   **kwargs)
                accuracies.append(point["accuracy"])
                losses = torch.tensor(point["losses"])
                windows.append(losses.view(-1, WINDOW).mean(dim=1))
                seconds.append(point["seconds"])
                print(f"{name:14s} L={L:<4d} seed={seed}  accuracy {point['accuracy']:.3f}  "
                      f"last-window loss {windows[-1][-1].item():.4f}  {point['seconds']:.1f} s", flush=True)
            results["accuracy"][name][str(L)] = [round(a, 4) for a in accuracies]
            results["loss_windows"][name][str(L)] = [round(v, 4) for v in torch.stack(windows).mean(dim=0).tolist()]
            results["train_seconds"][name][str(L)] = round(sum(seconds) / len(seconds), 2)
    return write_results(results, out, threads)


def write_results(results: dict, out: Path, threads: int) -> dict:
    """Add where it ran, and write one line per key: small, and readable in a diff."""
    import torch

    results.update({"threads": threads, "torch": torch.__version__, "python": platform.python_version(),
                    "machine": platform.machine()})
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("{\n" + ",\n".join(f" {json.dumps(key)}: {json.dumps(value)}" for key, value in results.items())
                   + "\n}\n")
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="*", help="names from helpers.MEMORY_CONFIGS (default: all)")
    parser.add_argument("--distances", nargs="*", type=int, default=list(DISTANCES))
    parser.add_argument("--seeds", nargs="*", type=int, default=list(SEEDS))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--steps", type=int, default=STEPS, help=f"a multiple of {WINDOW}")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    start = time.perf_counter()
    run(args.configs, args.distances, args.seeds, args.threads, args.out, args.steps)
    print(f"wrote {args.out} in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
