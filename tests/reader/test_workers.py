import os
import subprocess
import sys
from operator import itemgetter

import pytest

from conftest import PROJECT, SAMPLES
from digitocr.reader.workers import WorkerProcesses

def test_a_script_without_a_main_guard_reads_with_workers_and_is_not_run_again(tmp_path):
    script = tmp_path / "unguarded.py"
    script.write_text(f"import sys\nsys.path.insert(0, {str(PROJECT)!r})\nprint('script started')\n"
                      "from digitocr import Reader\n"
                      f"sources = [{str(SAMPLES / '4096_paper.png')!r}, b'not an image', "
                      f"{str(SAMPLES / '583_chalkboard.png')!r}]\n"
                      "outcomes = list(Reader().read_many(sources, batch_size=1, workers=2))\n"
                      "print([o.reading.text if o.reading else type(o.error).__name__ for o in outcomes])\n")
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, timeout=120,
                         env=environment)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["script started", "['4096', 'UnsupportedImageError', '583']"]


def test_an_error_raised_in_a_worker_is_raised_to_the_caller():
    with WorkerProcesses(1, itemgetter(5)) as pool:
        with pytest.raises(IndexError):
            list(pool.map([[1, 2]]))
        assert list(pool.map([list(range(6))])) == [5]  # the worker goes on with the next share


def test_what_a_worker_prints_does_not_spoil_its_replies(capfd):
    with WorkerProcesses(1, print) as pool:  # one worker: two workers' lines on standard error can run together
        assert list(pool.map([["first"], ["second"], ["third"]])) == [None, None, None]
    assert sorted(capfd.readouterr().err.split()) == ["['first']", "['second']", "['third']"]


def test_a_worker_that_dies_is_reported_with_its_exit_status():
    with WorkerProcesses(1, os._exit) as pool:
        with pytest.raises(RuntimeError, match="exit status 3"):
            list(pool.map([3]))
