"""Benchmark of chapter 6: the note's recipe against the better recipe, trained in one run.

Run it as ``.venv/bin/python tests/bench_sine.py`` (or ``make bench``). It trains both recipes,
measures each on the same held-out start phases (warm-up of 10 true points from a zero state,
then 39 free-running steps), writes ``_build/bench/sine.json``, saves both trained models with
``torch.save(model)`` as ``_build/bench/sine_note.pt`` and ``_build/bench/sine_better.pt``
(load them with ``torch.load(path, weights_only=False)`` with ``helpers`` installed), and prints
a small table. It is a benchmark, not a test: pytest does not collect it, and importing it runs
nothing.

Targets: the better recipe's held-out free-running MSE at least 100 times lower than the note's,
with a training wall time at most 1/3 of the note's. Both recipes train on the same number of
CPU threads (``--threads``, default 1: the networks are tiny, and on a shared machine a second
thread mostly waits, which would make the timing noisy).
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "_build" / "bench"
MSE_TARGET = 100.0       # note / better, at least
TIME_TARGET = 1.0 / 3.0  # better / note, at most


def run(threads: int = 1, eval_phases: int = 256, eval_seed: int = 2024, seed: int = 0,
        out_dir: Path = OUT_DIR) -> dict:
    """Train both recipes, measure them, save the models; return the results as a dict."""
    import torch

    from helpers import (free_run_errors, heldout_phases, teacher_forced_error, train_better_recipe,
                         train_note_recipe)

    torch.set_num_threads(threads)
    out_dir.mkdir(parents=True, exist_ok=True)

    start = time.perf_counter()
    note, note_losses = train_note_recipe(iterations=6000, lr=0.01, seed=seed)
    note_train_s = time.perf_counter() - start

    start = time.perf_counter()
    better, better_losses = train_better_recipe(seed=seed)
    better_train_s = time.perf_counter() - start

    phases = heldout_phases(eval_phases, seed=eval_seed)
    note_errors = free_run_errors(note, phases, warmup=10, steps=39, batch_size=1)  # batch 1: the note's forward
    better_errors = free_run_errors(better, phases, warmup=10, steps=39)
    note_mse, better_mse = note_errors.mean().item(), better_errors.mean().item()

    torch.save(note, out_dir / "sine_note.pt")
    torch.save(better, out_dir / "sine_better.pt")

    results = {
        "note_free_run_mse": note_mse,
        "better_free_run_mse": better_mse,
        "mse_ratio": note_mse / better_mse,
        "note_train_s": note_train_s,
        "better_train_s": better_train_s,
        "time_ratio": better_train_s / note_train_s,
        "eval_phases": eval_phases,
        "eval_seed": eval_seed,
        "warmup": 10,
        "steps": 39,
        "note_teacher_forced_mse": teacher_forced_error(note, phases, batch_size=1),
        "better_teacher_forced_mse": teacher_forced_error(better, phases),
        "note_mse_by_horizon": note_errors.tolist(),
        "better_mse_by_horizon": better_errors.tolist(),
        "note_iterations": len(note_losses),
        "better_loss_evaluations": len(better_losses),
        "train_seed": seed,
        "threads": threads,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    results["targets_met"] = {
        "mse_ratio >= 100": results["mse_ratio"] >= MSE_TARGET,
        "time_ratio <= 1/3": results["time_ratio"] <= TIME_TARGET,
    }
    (out_dir / "sine.json").write_text(json.dumps(results, indent=2) + "\n")
    return results


def table(results: dict) -> str:
    """The results as a small text table."""
    rows = [
        ("recipe", "train time", "teacher-forced MSE", "free-running MSE"),
        ("note's recipe", f"{results['note_train_s']:.2f} s", f"{results['note_teacher_forced_mse']:.2e}",
         f"{results['note_free_run_mse']:.2e}"),
        ("better recipe", f"{results['better_train_s']:.2f} s", f"{results['better_teacher_forced_mse']:.2e}",
         f"{results['better_free_run_mse']:.2e}"),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(r, widths)))
             for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    met = results["targets_met"]
    lines += [
        "",
        f"held-out phases: {results['eval_phases']} (warm-up 10, then 39 free-running steps), "
        f"threads: {results['threads']}",
        f"MSE ratio  note / better = {results['mse_ratio']:.0f}   (target >= 100: "
        f"{'met' if met['mse_ratio >= 100'] else 'NOT met'})",
        f"time ratio better / note = {results['time_ratio']:.3f} (target <= 0.333: "
        f"{'met' if met['time_ratio <= 1/3'] else 'NOT met'})",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="torch threads for both recipes (default 1)")
    parser.add_argument("--phases", type=int, default=256, help="number of held-out start phases (default 256)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output directory (default _build/bench)")
    args = parser.parse_args(argv)
    if args.threads < 1 or args.phases < 1:
        parser.error("--threads and --phases must be >= 1")
    sys.path.insert(0, str(ROOT))  # run from a checkout without installing helpers
    results = run(threads=args.threads, eval_phases=args.phases, out_dir=args.out)
    print(table(results))
    print(f"\nwrote {args.out / 'sine.json'}, {args.out / 'sine_note.pt'}, {args.out / 'sine_better.pt'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
