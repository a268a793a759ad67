"""Benchmark (not a test): signed GETs per second served by the emulator, keep-alive, 1 and 4 client threads.

Usage: python3 tests/emulator/bench.py [--seconds 3] [--path /v1/zones]
"""

import argparse
import os
import sys
import threading
import time

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fixture import EmulatorProcess, auth_headers  # noqa: E402  pylint: disable=wrong-import-position


def worker(emulator, path, deadline, counts, index):
    session = requests.Session()   # one keep-alive connection per thread
    done = 0
    while time.monotonic() < deadline:
        response = session.get(emulator.url + path, headers=auth_headers(emulator.access_key, emulator.secret_key, path))
        if response.status_code != 200:
            raise RuntimeError("unexpected answer %s: %s" % (response.status_code, response.text[:200]))
        done += 1
    counts[index] = done


def run(emulator, path, threads, seconds):
    counts = [0] * threads
    deadline = time.monotonic() + seconds
    pool = [threading.Thread(target=worker, args=(emulator, path, deadline, counts, n)) for n in range(threads)]
    start = time.monotonic()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return sum(counts) / (time.monotonic() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--path", default="/v1/zones")
    args = parser.parse_args()
    emulator = EmulatorProcess(rate_limit=0)   # 0 disables the rate limit
    try:
        for threads in (1, 4):
            rate = run(emulator, args.path, threads, args.seconds)
            sys.stdout.write("GET %s, %d thread(s), keep-alive: %.0f requests/s\n" % (args.path, threads, rate))
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
