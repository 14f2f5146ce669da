"""Python's multiprocessing, measured beside isofutures (bench/multiprocessing.mjs runs this).

Prints one JSON object: items/s through a multiprocessing.Queue (child -> parent, child -> child),
Manager().dict() sets per second, Lock acquire+release between two processes per second, and the
time to start and join a Process (spawn), in ms.
"""
import json
import multiprocessing as mp
import sys
import time


def produce(q, n):
    for i in range(n):
        q.put(i)


def consume(q, n, out):
    s = 0
    for _ in range(n):
        s += q.get()
    out.put(s)


def locker(lock, n, ready, go):
    ready.set()
    go.wait()
    for _ in range(n):
        lock.acquire()
        lock.release()


def nothing():
    pass


def queue_child_to_parent(ctx, n):
    q = ctx.Queue()
    p = ctx.Process(target=produce, args=(q, 1000))
    p.start()
    for _ in range(1000):
        q.get()
    p.join()
    t0 = time.perf_counter()
    p = ctx.Process(target=produce, args=(q, n))
    p.start()
    for _ in range(n):
        q.get()
    elapsed = time.perf_counter() - t0
    p.join()
    return n / elapsed


def queue_child_to_child(ctx, n):
    q, out = ctx.Queue(), ctx.Queue()
    t0 = time.perf_counter()
    c = ctx.Process(target=consume, args=(q, n, out))
    p = ctx.Process(target=produce, args=(q, n))
    c.start()
    p.start()
    out.get()
    elapsed = time.perf_counter() - t0
    p.join()
    c.join()
    return n / elapsed


def manager_dict_set(ctx, n):
    with ctx.Manager() as m:
        d = m.dict()
        for i in range(200):
            d[i] = i
        t0 = time.perf_counter()
        for i in range(n):
            d[i] = i
        return n / (time.perf_counter() - t0)


def lock_between_processes(ctx, n):
    lock, ready, go = ctx.Lock(), ctx.Event(), ctx.Event()
    p = ctx.Process(target=locker, args=(lock, n, ready, go))
    p.start()
    ready.wait()
    t0 = time.perf_counter()
    go.set()
    for _ in range(n):
        lock.acquire()
        lock.release()
    p.join()
    return 2 * n / (time.perf_counter() - t0)


def process_start_join(ctx, n):
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        p = ctx.Process(target=nothing)
        p.start()
        p.join()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times[len(times) // 2]


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    only = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--only=")), None)
    spawn, fork = mp.get_context("spawn"), mp.get_context("fork")
    scale = 10 if quick else 1
    tests = {
        "queueChildToParent": lambda: queue_child_to_parent(fork, 200_000 // scale),
        "queueChildToChild": lambda: queue_child_to_child(fork, 200_000 // scale),
        "managerDictSet": lambda: manager_dict_set(fork, 20_000 // scale),
        "lockBetweenProcesses": lambda: lock_between_processes(fork, 500_000 // scale),
        "processStartJoinSpawnMs": lambda: process_start_join(spawn, 5 if quick else 15),
    }
    out = {"python": sys.version.split()[0]}
    for name, run in tests.items():
        if only is None or name in only.split(","):
            out[name] = run()
    print(json.dumps(out))
