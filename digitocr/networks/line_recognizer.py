"""The line recognizer: load `LineReader.keras` once, safely, and answer lines of ink column by column.

Its input is one line of ink LINE_HEIGHT rows high, ink bright, of any
width; it answers every FRAME_STEP columns (a frame) with probabilities over
the ten digits and the CTC blank (see `ctc`).
"""

from pathlib import Path

import numpy as np

from ..errors import ModelError
from .ctc import BLANK
from ..models import MODELS
from .model_files import load_network
from .onnx_net import ALL_CORES, OnnxNet

LINE_HEIGHT = 32  # rows of the recognizer's input
FRAME_STEP = 4  # input columns per output frame (the network halves the width twice)
RIGHT_CONTEXT = 32  # blank columns after a line: more than the network's reach to the right (16 to 32 columns)
BATCH_COLUMNS = 16384  # input columns of one call, padding included: about 100 MB of the network's activations
DEFAULT_LINE_MODEL_PATH = MODELS / "LineReader.keras"
EXPECTED_INPUT = (None, LINE_HEIGHT, None, 1)
EXPECTED_OUTPUT = (None, 1, None, BLANK + 1)


def batch_of_lines(images: list[np.ndarray]) -> np.ndarray:
    """(N, LINE_HEIGHT, W, 1) float32, each line at the left and zeros after it; W a multiple of FRAME_STEP.

    Every line gets at least RIGHT_CONTEXT blank columns after it, so what the
    network answers for a line does not depend on the other lines batched
    with it (beyond the network's reach, the padding's width makes no
    difference).
    """
    width = max(image.shape[1] for image in images) + RIGHT_CONTEXT
    width = -(-width // FRAME_STEP) * FRAME_STEP
    batch = np.zeros((len(images), LINE_HEIGHT, width, 1), np.float32)
    for index, image in enumerate(images):
        batch[index, :, :image.shape[1], 0] = image
    return batch


class LineRecognizer:
    """(N, 32, W, 1) line images to (N, 1, W/4, 11) probabilities: ten digits and the CTC blank per frame."""

    def __init__(self, net: OnnxNet, path: Path):
        self._net = net
        self.path = path

    @classmethod
    def load(cls, path: str | Path | None = None, threads: int = ALL_CORES) -> "LineRecognizer":
        path = Path(path) if path else DEFAULT_LINE_MODEL_PATH
        net = load_network(path, threads, "line model", "python -m digitocr.train_lines")
        if net.input_shape != EXPECTED_INPUT or net.output_shape[-1] != BLANK + 1:
            raise ModelError(f"{path} takes {net.input_shape} and gives {net.output_shape}; expected "
                             f"{EXPECTED_INPUT} and {EXPECTED_OUTPUT}.")
        return cls(net, path)

    def frames(self, lines: list[np.ndarray]) -> list[np.ndarray]:
        """Per line, (T, 11) probabilities for the frames its own width covers; the lines batched by width
        (`width_batches`), so a batch pads little and its memory stays bounded however many lines there are."""
        found: list[np.ndarray] = [np.empty(0)] * len(lines)
        for batch in width_batches([line.shape[1] for line in lines]):
            output = self._net(batch_of_lines([lines[index] for index in batch]))[:, 0]
            for row, index in enumerate(batch):
                found[index] = output[row, :-(-lines[index].shape[1] // FRAME_STEP)]
        return found


def width_batches(widths: list[int]) -> list[list[int]]:
    """The indices of lines `widths` wide, narrowest first, in batches of at most BATCH_COLUMNS padded columns."""
    batches: list[list[int]] = []
    for index in sorted(range(len(widths)), key=lambda i: widths[i]):
        padded = widths[index] + RIGHT_CONTEXT
        if not batches or (len(batches[-1]) + 1) * padded > BATCH_COLUMNS:
            batches.append([])
        batches[-1].append(index)
    return batches
