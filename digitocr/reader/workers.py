"""Worker processes for `Reader.read_many`: the images dealt out in shares, the outcomes gathered in input order.

Each worker is a fresh interpreter (`reading_worker`), not a fork of the
caller. The caller is no safe process to fork: its inference sessions and
OpenCV keep pools of threads, and a thread that holds a lock at the moment of
a fork leaves it held for good in the child, whose first call that takes it
never returns (a read of three images with two forked workers hung so, once
in about five test suites). Nor is a worker started by `multiprocessing`'s
other ways, spawn and fork server: each runs the caller's main script again,
which re-runs a script without a `__main__` guard, or a Streamlit app, whose
script is its `__main__`.
"""

import os
import pickle
import queue
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..results import Outcome

WORKER_SHARES = 4  # read_many gives each worker at least this many shares of the images, so all finish together
PACKAGE_PARENT = Path(__file__).resolve().parents[2]  # where a worker finds this same digitocr


def in_worker_processes(sources: list, read_share: Callable[[list], list[Outcome]], workers: int,
                        largest_share: int) -> Iterator[Outcome]:
    """Each share of `sources` read by `read_share` in a worker process, the outcomes in input order. They come back
    as `read_share` gives them: without their sources, where an image's bytes need not travel back, for the caller
    to give them again (`Reader.read_many` gives back the sources it was handed, not the bytes it sent)."""
    share = min(largest_share, max(1, len(sources) // (WORKER_SHARES * workers)))
    chunks = [sources[start:start + share] for start in range(0, len(sources), share)]
    with WorkerProcesses(min(workers, len(chunks)), read_share) as pool:
        for outcomes in pool.map(chunks):
            yield from outcomes


class WorkerProcesses:
    """`count` worker interpreters, each given `read_share` once and then shares to read, one at a time, over its
    standard input and output; a thread here waits on each worker, so every worker is kept busy."""

    def __init__(self, count: int, read_share: Callable[[list], list[Outcome]]):
        """Each worker finds this digitocr first on its path; `-P` keeps the caller's working folder off it, where
        `python -m` would put it first, and another digitocr there would read in its place."""
        paths = [str(PACKAGE_PARENT)] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])
        environment = dict(os.environ, PYTHONPATH=os.pathsep.join(paths))
        self.processes = [subprocess.Popen([sys.executable, "-P", "-m", f"{__package__}.reading_worker"],
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=environment)
                          for _ in range(count)]
        self.idle: queue.SimpleQueue[subprocess.Popen] = queue.SimpleQueue()
        for process in self.processes:
            send(process, read_share)
            self.idle.put(process)

    def map(self, shares: Iterable[list]) -> Iterator[list[Outcome]]:
        """The outcomes of each share, in the shares' order. Where the caller stops early (a Ctrl-C, or it wants no
        more), the shares not begun are dropped and the threads waiting on workers are not waited for: `__exit__`
        stops the workers, which ends their waits."""
        threads = ThreadPoolExecutor(len(self.processes))
        try:
            yield from threads.map(self._read, shares)
        finally:
            threads.shutdown(wait=False, cancel_futures=True)

    def _read(self, share: list) -> list[Outcome]:
        process = self.idle.get()
        try:
            send(process, share)
            return receive(process)
        finally:
            self.idle.put(process)

    def __enter__(self) -> "WorkerProcesses":
        return self

    def __exit__(self, error_type, *_) -> None:
        """Workers done with their shares end when their input closes; workers still reading when the caller stopped
        early (`error_type` set: a Ctrl-C, an error, a generator closed) are stopped at once, their shares unwanted."""
        for process in self.processes:
            if error_type is not None:
                process.kill()
            try:
                process.stdin.close()
            except BrokenPipeError:
                pass
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.stdout.close()


def send(process: subprocess.Popen, value) -> None:
    pickle.dump(value, process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
    process.stdin.flush()


def receive(process: subprocess.Popen) -> list[Outcome]:
    """A worker's reply: a share's outcomes, or the error it raised, raised here."""
    try:
        read, reply = pickle.load(process.stdout)
    except EOFError:
        raise RuntimeError(f"A reading worker stopped (exit status {process.wait()}); its message, if it left one, "
                           "is above.") from None
    if not read:
        raise reply
    return reply
