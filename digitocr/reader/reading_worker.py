"""A worker process of `Reader.read_many`, started by `workers` as `python -m digitocr.reader.reading_worker`.

It reads a pickled function from its standard input, then shares of images,
and answers each with `(True, outcomes)`, or `(False, error)` where reading
raised; it ends when its input closes. Its standard output carries only the
replies: anything printed while reading goes to standard error. A Ctrl-C
at a terminal reaches every process of its group, workers too: a worker
leaves it to its caller, which stops it, so one message is printed, not one
traceback from each worker.
"""

import os
import pickle
import signal
import sys
from typing import BinaryIO


def serve(requests: BinaryIO, replies: BinaryIO) -> None:
    read_share = pickle.load(requests)
    while True:
        try:
            share = pickle.load(requests)
        except EOFError:
            return
        try:
            reply = (True, read_share(share))
        except Exception as error:  # the caller raises it: a reading worker must not die of one share
            reply = (False, error)
        pickle.dump(reply, replies, protocol=pickle.HIGHEST_PROTOCOL)
        replies.flush()


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with os.fdopen(os.dup(sys.stdout.fileno()), "wb") as channel:
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
        serve(sys.stdin.buffer, channel)
