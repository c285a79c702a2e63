"""The sign judge: load `SignJudge.keras` once, safely, and answer whether a mark at a line's end is a sign.

A person reads '$120' as 120: the '$' is written beside the number, not a
digit of it, though its S and bar make an '8' or a '5' to both readers. The
judge takes a mark as the line recognizer sees it, the columns its box spans
in its line's image (`lines.mark_field`), so it sees the mark's height and
place against the line the digits share (a '$' bar reaching past them, a
'€' bar sticking out to the left), and answers the probability that it is a
sign ('$', '€', '£', '#', '%', '+', '=', printed or written) rather than a
digit. It ships with the chance from which a mark is taken for a sign, chosen
when it was trained (`python -m digitocr.training.train_signs`) and kept in
its card. The slash judge (`SlashJudge.keras`, `train_slashes`) is the same
network with other lessons: whether a '1' read where a date has its slashes
is a slash (`reader.dates`).
"""

from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..models import MODELS
from .classifier import in_calls_of_bounded_size
from .line_recognizer import LINE_HEIGHT
from .model_files import load_network_of_shape, read_model_card
from .onnx_net import ALL_CORES, OnnxNet

DEFAULT_SIGN_JUDGE_PATH = MODELS / "SignJudge.keras"
DEFAULT_SLASH_JUDGE_PATH = MODELS / "SlashJudge.keras"
SIGN_COMMAND = "python -m digitocr.training.train_signs"
SLASH_COMMAND = "python -m digitocr.training.train_slashes"
SIGN_CLASSES = 2  # a digit, a sign


class SignJudge:
    """(N, 32, 32, 1) marks in their line's gray levels, ink bright, to the probability that each is a sign."""

    def __init__(self, net: OnnxNet, path: Path, sign_from: float):
        self._net = net
        self.path = path
        self.sign_from = sign_from  # a mark at least this likely a sign is taken for one

    @classmethod
    def load(cls, path: str | Path | None = None, threads: int = ALL_CORES,
             train_command: str = SIGN_COMMAND) -> "SignJudge":
        """The judge at `path` (the shipped sign judge where None); `train_command` is what a user runs to make one
        where the file is missing."""
        path = Path(path) if path else DEFAULT_SIGN_JUDGE_PATH
        net = load_network_of_shape(path, threads, "sign judge", train_command, (LINE_HEIGHT, LINE_HEIGHT, 1),
                                    (SIGN_CLASSES,))
        sign_from = read_model_card(path).get("sign_from")
        if not isinstance(sign_from, float) or not 0 < sign_from < 1:
            raise ModelError(f"The card of {path} gives no chance from which a mark is a sign (sign_from).")
        return cls(net, path, sign_from)

    @classmethod
    def load_slash_judge(cls, threads: int = ALL_CORES) -> "SignJudge":
        """The shipped slash judge."""
        return cls.load(DEFAULT_SLASH_JUDGE_PATH, threads, SLASH_COMMAND)

    def sign_chances(self, marks: np.ndarray) -> np.ndarray:
        """(N, 32, 32) or (N, 32, 32, 1) marks to (N,) probabilities that each is a sign."""
        batch = np.ascontiguousarray(marks, np.float32).reshape(-1, LINE_HEIGHT, LINE_HEIGHT, 1)
        if len(batch) == 0:
            return np.zeros(0, np.float32)
        return in_calls_of_bounded_size(self._net, batch)[:, 1]
