# Python's side of the `process` scenario: multiprocessing's spawn Process, start + join of a
# trivial target, `n` times after one untimed start. Prints the times (ms) as one JSON array.
#   python3 bench/process-spawn.py <n>
import json
import multiprocessing
import sys
import time


def target():
    pass


if __name__ == "__main__":
    ctx = multiprocessing.get_context("spawn")
    times = []
    for i in range(int(sys.argv[1]) + 1):
        t0 = time.perf_counter()
        p = ctx.Process(target=target)
        p.start()
        p.join()
        if i > 0:
            times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps(times))
