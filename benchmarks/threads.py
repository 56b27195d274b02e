"""torch threads on a small machine: decode-step time of a real model with 1 vs N threads,
on a quiet machine and beside one busy process (a pure-Python spin loop), in one run.

    python benchmarks/threads.py [--model smollm2] [--steps 40]

Why it matters: OpenMP threads spin-wait for a sibling that the OS has descheduled, so on a
2-core machine shared with one other busy process N=2 threads can be many times slower than 1.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import time


def _spin(stop: mp.Event) -> None:  # type: ignore[valid-type]
    x = 0
    while not stop.is_set():
        x += 1


def _steps(model, threads: int, steps: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    import torch

    torch.set_num_threads(threads)
    ids = torch.tensor([[1] * 64])
    with torch.inference_mode():
        out = model(input_ids=ids, use_cache=True)
        cache = out.cache
        times = []
        for _ in range(steps):
            t0 = time.perf_counter()
            out = model(input_ids=torch.tensor([[42]]), cache=cache, use_cache=True)
            cache = out.cache
            times.append(time.perf_counter() - t0)
    times.sort()
    return statistics.median(times) * 1e3, times[int(0.9 * (len(times) - 1))] * 1e3


def main() -> None:
    import os

    from ltlagent.decoders.models import load_model

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="smollm2")
    ap.add_argument("--steps", type=int, default=40)
    args = ap.parse_args()
    model, _ = load_model(args.model)
    cores = os.cpu_count() or 1
    print(f"{args.model}: decode step (ms, p50 / p90), {cores} cores, {args.steps} steps after a 64-token prefill")
    print(f"{'setting':<28}{'1 thread':>18}{f'{cores} threads':>18}")
    for busy in (False, True):
        stop = mp.Event()
        proc = mp.Process(target=_spin, args=(stop,)) if busy else None
        if proc:
            proc.start()
            time.sleep(0.5)
        try:
            one = _steps(model, 1, args.steps)
            many = _steps(model, cores, args.steps)
        finally:
            if proc:
                stop.set()
                proc.join()
        label = "beside one busy process" if busy else "quiet"
        print(f"{label:<28}{one[0]:>9.1f} / {one[1]:<6.1f}{many[0]:>9.1f} / {many[1]:<6.1f}")


if __name__ == "__main__":
    main()
