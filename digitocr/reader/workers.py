"""Worker processes for `Reader.read_many`: the images dealt out in shares, the outcomes gathered in input order."""

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

from ..results import Outcome

WORKER_SHARES = 4  # read_many gives each worker at least this many shares of the images, so all finish together


def in_worker_processes(sources: list, read_share: Callable[[list], list[Outcome]], workers: int,
                        largest_share: int) -> Iterator[Outcome]:
    """Each share of `sources` read by `read_share` in a worker process; the outcomes come back without their
    sources (an image's bytes need not travel back) and are given them again here, in input order."""
    share = min(largest_share, max(1, len(sources) // (WORKER_SHARES * workers)))
    chunks = [sources[start:start + share] for start in range(0, len(sources), share)]
    context = multiprocessing.get_context(worker_start_method())
    with ProcessPoolExecutor(min(workers, len(chunks)), mp_context=context) as pool:
        for chunk, outcomes in zip(chunks, pool.map(read_share, chunks)):
            yield from (replace(outcome, source=source) for source, outcome in zip(chunk, outcomes))


def worker_start_method() -> str:
    """Fork where the platform has it: the workers start at once and never run the caller's main script again.

    A spawned worker re-imports `__main__`, which re-runs an unguarded user
    script or a Streamlit app. Forking a process that holds inference threads is
    safe here because a worker never uses its parent's inference sessions: it
    loads its own (`worker_reader`).
    """
    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
