"""Each epoch's samples, drawn in worker processes while the network learns from the epoch before.

Drawing an epoch (80,000 augmented samples) takes about 50 s of one core, and a GPU learns from it in a few
seconds: on a machine with a GPU and many cores the drawing sets the pace. With several processes each draws a
share of the epoch from a seed taken from the run's generator, so the same seed and number of processes draw the
same samples; with one, the epoch is drawn in the training process as it always was.
"""

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import astuple, replace

import numpy as np

from . import augment
from .digit_data import DigitPools, EpochCounts, ReaderCuts, epoch_samples

_POOLS: DigitPools | None = None  # the training digits a worker draws from, handed over once when it starts


def _keep_pools(pools: DigitPools) -> None:
    global _POOLS
    _POOLS = pools


def _draw_part(part: int, parts: int, counts: EpochCounts, seed: int) -> tuple[np.ndarray, np.ndarray]:
    pools = _POOLS
    if pools.reader_cuts is not None:  # a piece is learned from at most once an epoch: each share has its own pieces
        pools = replace(pools, reader_cuts=share_of_cuts(pools.reader_cuts, part, parts))
    return epoch_samples(pools, np.random.default_rng(seed), augment.AugmentSettings(), counts)


def share_of_cuts(cuts: ReaderCuts, part: int, parts: int) -> ReaderCuts:
    return replace(cuts, pieces=cuts.pieces[part::parts], labels=cuts.labels[part::parts])


def split_counts(counts: EpochCounts, parts: int) -> list[EpochCounts]:
    """`parts` shares of an epoch's counts, each stream's count spread as evenly as whole samples allow."""
    return [EpochCounts(*(count // parts + (part < count % parts) for count in astuple(counts)))
            for part in range(parts)]


class EpochDrawer:
    """Hands out one epoch's samples at a time; with several processes the next epoch is drawn meanwhile."""

    def __init__(self, pools: DigitPools, counts: EpochCounts, seed: int, processes: int = 1):
        self._pools, self._counts, self._rng = pools, counts, np.random.default_rng(seed)
        self._executor = None
        self._pending: list[Future] = []
        if processes > 1:  # forked before the network or the teacher start threads of their own
            self._executor = ProcessPoolExecutor(processes, multiprocessing.get_context("fork"),
                                                 initializer=_keep_pools, initargs=(pools,))
            self._parts = split_counts(counts, processes)
            self._submit()

    def _submit(self) -> None:
        seeds = self._rng.integers(0, 2**63, len(self._parts))
        self._pending = [self._executor.submit(_draw_part, part, len(self._parts), counts, int(seed))
                         for part, (counts, seed) in enumerate(zip(self._parts, seeds))]

    def next_epoch(self, another_follows: bool) -> tuple[np.ndarray, np.ndarray]:
        """(inputs (N, 28, 28, 1), targets (N, 10)); `another_follows` starts drawing the epoch after it."""
        if self._executor is None:
            return epoch_samples(self._pools, self._rng, augment.AugmentSettings(), self._counts)
        parts = [future.result() for future in self._pending]
        if another_follows:
            self._submit()
        inputs, targets = np.concatenate([part[0] for part in parts]), np.concatenate([part[1] for part in parts])
        order = self._rng.permutation(len(inputs))
        return inputs[order], targets[order]

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)

    def __enter__(self) -> "EpochDrawer":
        return self

    def __exit__(self, *_) -> None:
        self.close()
