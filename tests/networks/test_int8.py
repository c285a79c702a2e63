import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import SAMPLES, needs_shared, SHARED
from digitocr.networks.ctc import text_of
from digitocr.networks.int8 import ACTIVATION_LEVELS, quantized_convolutions, quantized_tensors, with_int8_convolutions
from digitocr.networks.line_recognizer import DEFAULT_LINE_MODEL_PATH, LineRecognizer
from digitocr.networks.model_files import int8_ranges
from digitocr.networks.onnx_net import float_graph
from digitocr.reader.prepare import prepare
from digitocr.training import int8_ranges as int8_command


def sample_lines(reader) -> list[np.ndarray]:
    """Every line the pipeline cuts from the sample images, as the recognizer takes it."""
    return [line.image for sample in sorted(SAMPLES.iterdir()) for line in prepare(sample, reader.settings).lines]


def copy_without_ranges(folder: Path) -> Path:
    copy = folder / DEFAULT_LINE_MODEL_PATH.name
    shutil.copy(DEFAULT_LINE_MODEL_PATH, copy)
    card = json.loads(DEFAULT_LINE_MODEL_PATH.with_suffix(".json").read_text())
    del card["int8"]
    copy.with_suffix(".json").write_text(json.dumps(card))
    return copy


def test_the_shipped_line_model_runs_on_8_bit_integers_and_reads_the_samples_as_in_floats(reader, tmp_path):
    nodes = float_graph(DEFAULT_LINE_MODEL_PATH)[0].nodes
    assert set(int8_ranges(DEFAULT_LINE_MODEL_PATH)) == set(quantized_tensors(nodes))
    lines = sample_lines(reader)
    in_floats = LineRecognizer.load(copy_without_ranges(tmp_path)).frames(lines)
    in_integers = LineRecognizer.load().frames(lines)
    assert [text_of(frames) for frames in in_integers] == [text_of(frames) for frames in in_floats] == \
        ["2026", "315", "2718", "4096", "583", "78136"]
    assert all(np.abs(a - b).max() < 0.25 for a, b in zip(in_integers, in_floats))
    assert not all(np.array_equal(a, b) for a, b in zip(in_integers, in_floats))


def test_all_but_the_last_convolution_hold_7_bit_weights_and_the_logits_stay_in_floats():
    """Two products of an 8-bit activation and a weight must sum within 16 bits, as x86 without VNNI sums them: a
    weight past +-64 overflows there, and the same image read differently on another machine."""
    graph = with_int8_convolutions(float_graph(DEFAULT_LINE_MODEL_PATH)[0], int8_ranges(DEFAULT_LINE_MODEL_PATH))
    constants = graph.initialisers
    convolutions = [node for node in graph.nodes if node.op_type == "Conv"]
    integer_kernels = [constants[name] for name in constants if name.endswith("/kernel/int8")]
    assert len(integer_kernels) == len(convolutions) - 1 == len(quantized_convolutions(graph.nodes))
    assert all(kernel.dtype == np.int8 and 2 * ACTIVATION_LEVELS * np.abs(kernel.astype(int)).max() <=
               np.iinfo(np.int16).max for kernel in integer_kernels)
    assert constants[convolutions[-1].input[1]].dtype == np.float32


def test_a_tensor_without_a_measured_range_is_refused_by_name():
    graph = float_graph(DEFAULT_LINE_MODEL_PATH)[0]
    ranges = dict(int8_ranges(DEFAULT_LINE_MODEL_PATH))
    del ranges["channels_first"]
    with pytest.raises(ValueError, match="channels_first"):
        with_int8_convolutions(graph, ranges)


@needs_shared
def test_the_ranges_command_writes_the_card_a_model_then_loads_on_integers(reader, tmp_path):
    copy = copy_without_ranges(tmp_path)
    assert int8_ranges(copy) is None
    int8_command.main(["--model", str(copy), "--data", str(SHARED / "data/mnist"), "--lessons", "6", "--workers", "1"])
    card = json.loads(copy.with_suffix(".json").read_text())
    assert card["int8"]["lines"] == 24 and card["sha256"] == json.loads(
        DEFAULT_LINE_MODEL_PATH.with_suffix(".json").read_text())["sha256"]
    assert all(low <= 0.0 <= high for low, high in card["int8"]["ranges"].values())
    assert [text_of(frames) for frames in LineRecognizer.load(copy).frames(sample_lines(reader))] == \
        ["2026", "315", "2718", "4096", "583", "78136"]
