"""Batch reading on Ray Data: `digitocr batch INPUT OUTPUT [--address ADDRESS] [--workers N]`.

INPUT is a folder, a glob pattern, a text file listing one image a line, or
a URI any filesystem Ray reads (`s3://bucket/scans/`). The images are read as
bytes by Ray, mapped in batches through a pool of actors that each load the
models once, and written as one row per image (`results.ROW_COLUMNS`: path,
text, written, field, line and digit confidences, needs_review, error) to
OUTPUT, a folder of Parquet files or, where OUTPUT ends in `.csv`, of CSV
files, as Ray writes them. Without `--address` Ray starts on this machine;
with one (`ray://host:10001` or `auto`) the work goes to that cluster, whose
workers need digitocr installed.
"""

import argparse
import logging
import os
import time

import numpy as np

from ..arguments import add_review_option, whole_number
from ..results import csv_cells
from ..settings import ReaderSettings
from .inputs import batch_inputs

BATCH_ROWS = 32  # images an actor reads in one call (their digits classified together)
READ_CPUS = 0.25  # Ray's share of a CPU for fetching files: the actors hold the rest, or no file would be fetched


class ReadingActor:
    """One of Ray's workers: the models loaded once, OpenCV and the networks on one thread (the actors fill the
    cores), and each batch of images read into rows."""

    def __init__(self, model_path: str | None, settings: ReaderSettings, as_csv: bool):
        import cv2

        from ..reader import Models, Reader

        cv2.setNumThreads(0)
        self.reader = Reader(settings=settings, models=Models.load(model_path, threads=1))
        self.as_csv = as_csv

    def __call__(self, batch: dict[str, np.ndarray]):
        import pyarrow

        rows = [outcome.to_row(str(path)) for path, outcome in
                zip(batch["path"], self.reader.read_many([bytes(data) for data in batch["bytes"]]))]
        if self.as_csv:
            return pyarrow.Table.from_pylist([csv_cells(row) for row in rows])
        return pyarrow.Table.from_pylist(rows, schema=row_schema())


def row_schema():
    """The rows' Arrow types, the same in every file whatever a batch holds (an error column of nothing but
    None would otherwise have no type)."""
    import pyarrow

    confidences = pyarrow.list_(pyarrow.float64())
    return pyarrow.schema([("path", pyarrow.string()), ("text", pyarrow.string()), ("written", pyarrow.string()),
                           ("confidence", pyarrow.float64()), ("needs_review", pyarrow.bool_()),
                           ("line_confidences", confidences), ("digit_confidences", confidences),
                           ("error", pyarrow.string())])


def run_batch(paths: list[str], output: str, workers: int, model_path: str | None = None,
              settings: ReaderSettings = ReaderSettings()) -> int:
    """Read `paths` through a pool of `workers` actors into `output`; returns how many rows were written."""
    import ray

    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True
    as_csv = output.lower().endswith(".csv")
    dataset = ray.data.read_binary_files(paths, include_paths=True, num_cpus=READ_CPUS)
    rows = dataset.map_batches(ReadingActor, batch_size=BATCH_ROWS, compute=ray.data.ActorPoolStrategy(size=workers),
                               fn_constructor_kwargs={"model_path": model_path, "settings": settings,
                                                      "as_csv": as_csv}, num_cpus=1 - READ_CPUS).materialize()
    (rows.write_csv if as_csv else rows.write_parquet)(output)
    return rows.count()


def batch_command(args: argparse.Namespace) -> int:
    os.environ.setdefault("RAY_DATA_LOG_LEVEL", "WARNING")  # Ray Data's own notes on every run, unless asked for
    import ray

    paths = batch_inputs(args.input)
    if not paths:
        print(f"error: no images in {args.input}")
        return 2
    if args.address:
        ray.init(address=args.address, log_to_driver=False, logging_level=logging.WARNING)
    else:
        ray.init(num_cpus=args.workers, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    started = time.perf_counter()
    try:
        count = run_batch(paths, args.output, args.workers, args.model, ReaderSettings(review_below=args.review_below))
    finally:
        ray.shutdown()
    seconds = time.perf_counter() - started
    print(f"read {count} images into {args.output} in {seconds:.1f} s ({count / seconds:.3g} images/s, "
          f"{count / seconds / args.workers:.3g} per worker)")
    return 0


def add_batch_command(commands) -> None:
    batch = commands.add_parser("batch", help="read many images on Ray into Parquet or CSV (needs the 'ray' extra)")
    batch.add_argument("input", help="a folder, a glob, a .txt list of paths, or a URI Ray reads (s3://...)")
    batch.add_argument("output", help="a folder to write Parquet files into (CSV where it ends in .csv)")
    batch.add_argument("--address", help="a Ray cluster to run on (ray://host:10001 or auto); default: this machine")
    batch.add_argument("--workers", type=whole_number(1), default=2,
                       help="actors reading images, one CPU each (default 2)")
    batch.add_argument("--model", help="a .keras classifier instead of the shipped one")
    add_review_option(batch)
    batch.set_defaults(handler=batch_command)
