"""The line recognizer's wrapper: load `LineReader.keras` once, safely, and answer lines column by column."""

import zipfile
from pathlib import Path

import numpy as np

from .errors import ModelError
from .lines import BLANK, FRAME_STEP, LINE_HEIGHT, batch_of_lines
from .model import verify_checksum
from .onnx_net import ALL_CORES, OnnxNet, UnsupportedLayers

DEFAULT_LINE_MODEL_PATH = Path(__file__).resolve().parent.parent / "LineReader.keras"
EXPECTED_INPUT = (None, LINE_HEIGHT, None, 1)
EXPECTED_OUTPUT = (None, 1, None, BLANK + 1)


class LineRecognizer:
    """(N, 32, W, 1) line images to (N, 1, W/4, 11) probabilities: ten digits and the CTC blank per frame."""

    def __init__(self, net: OnnxNet, path: Path):
        self._net = net
        self.path = path

    @classmethod
    def load(cls, path: str | Path | None = None, threads: int = ALL_CORES) -> "LineRecognizer":
        path = Path(path) if path else DEFAULT_LINE_MODEL_PATH
        if not path.is_file():
            raise ModelError(f"No line model at {path}. Train one with `python -m digitocr.train_lines`.")
        verify_checksum(path)
        try:
            net = OnnxNet.from_archive(path, threads)
        except (UnsupportedLayers, OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
            raise ModelError(f"{path} is not a line model this reader can load ({error}).") from None
        if net.input_shape != EXPECTED_INPUT or net.output_shape[-1] != BLANK + 1:
            raise ModelError(f"{path} takes {net.input_shape} and gives {net.output_shape}; expected "
                             f"{EXPECTED_INPUT} and {EXPECTED_OUTPUT}.")
        return cls(net, path)

    def frames(self, lines: list[np.ndarray]) -> list[np.ndarray]:
        """Per line, (T, 11) probabilities for the frames its own width covers; all lines in one call."""
        if not lines:
            return []
        output = self._net(batch_of_lines(lines))[:, 0]
        return [output[index, :-(-line.shape[1] // FRAME_STEP)] for index, line in enumerate(lines)]
