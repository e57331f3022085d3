"""Shared timing helper of the Python benchmark scripts."""
import time


def best(f, min_seconds=0.5):
    """Runs f repeatedly for at least min_seconds (and at least twice); the fastest time, s."""
    times, total = [], 0.0
    while total < min_seconds or len(times) < 2:
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
        total += times[-1]
    return min(times)
