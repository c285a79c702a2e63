"""Hand styles drawn into real pen trajectories: the school-cursive '2', looped at its base and begun with a curl.

Much of France, Southern Europe and Latin America writes a '2' as one
cursive stroke: a curl where the pen lands, the arc, the descent, a loop
where the descent turns into the base, often a third of the digit high, and
a short base; often narrow and upright. Glued on as a shape (`augment.looped_two`)
such a loop is a tidy ellipse; drawn into a pen's own path it keeps the
writer's speed and curvature, so the rest of the digit stays the writer's.
With that loop and curl a '2' holds two holes, as an '8' does; the classifier
learns the difference (the '2's loops sit to the left, the base runs off to
the right) only from seeing both.
"""

import numpy as np

from .pendigits import PenDigit, bounds

POINTS_PER_HEIGHT = 60  # a path is resampled to this many points per digit height before a loop is drawn in
LOOP_RADII = (0.08, 0.35)  # of the digit's height: a base loop from a small eye to one a third of the digit high
CURL_RADII = (0.06, 0.14)  # ...and the curl where the pen lands
NARROWEST = 0.45  # a narrowed '2' keeps at least this share of its width


def resampled(path: np.ndarray, step: float) -> np.ndarray:
    """The path's points `step` apart along it, so a loop drawn in joins it smoothly whatever the tablet's rate."""
    lengths = np.hypot(*np.diff(path, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(lengths)])
    if along[-1] <= 0:
        return path
    at = np.arange(0.0, along[-1], step)
    return np.column_stack([np.interp(at, along, path[:, 0]), np.interp(at, along, path[:, 1])]).astype(np.float32)


def _loop_from(point: np.ndarray, heading: float, radius: float, turn: float, squash: float = 1.0) -> np.ndarray:
    """Points of a loop that leaves `point` along `heading` (radians, y down) and turns through `turn` radians (its
    sign the way round), its height scaled by `squash` about `point`."""
    normal = heading + np.sign(turn) * np.pi / 2
    centre = point + radius * np.array([np.cos(normal), np.sin(normal)])
    angles = normal + np.pi + np.linspace(0.0, turn, 40)
    loop = np.column_stack([centre[0] + radius * np.cos(angles), centre[1] + radius * np.sin(angles)])
    loop[:, 1] = point[1] + squash * (loop[:, 1] - point[1])
    return loop.astype(np.float32)


def _longest_path(digit: PenDigit) -> tuple[int, np.ndarray, float, float]:
    """The index of the digit's longest pen-down path, that path resampled, and the digit's top and height."""
    _, top, _, bottom = bounds(digit.strokes)
    height = max(bottom - top, 1.0)
    index = int(np.argmax([len(path) for path in digit.strokes]))
    return index, resampled(digit.strokes[index], height / POINTS_PER_HEIGHT), top, height


def _with_path(digit: PenDigit, index: int, path: np.ndarray) -> PenDigit:
    strokes = list(digit.strokes)
    strokes[index] = path
    return PenDigit(digit.label, digit.writer, tuple(strokes))


def looped_base(digit: PenDigit, rng: np.random.Generator) -> PenDigit:
    """The '2' with a loop where its descent turns into the base: mostly turning away from the base, so it stands
    over it outside the descent (an 'ℓ' lying on the base), sometimes turning the other way, hanging below it;
    unchanged where its path has no turn near the bottom."""
    index, path, top, height = _longest_path(digit)
    low = path[:, 1] >= top + 0.7 * height
    if not low.any():
        return digit
    corner = int(np.flatnonzero(low)[np.argmin(path[low, 0])])
    if corner < 3 or corner > len(path) - 3:
        return digit
    before = path[max(0, corner - 6)]
    heading = float(np.arctan2(path[corner, 1] - before[1], path[corner, 0] - before[0]))
    turn = (1.0 if rng.random() < 0.7 else -1.0) * 2 * np.pi * rng.uniform(0.95, 1.1)
    loop = _loop_from(path[corner], heading, height * rng.uniform(*LOOP_RADII), turn, rng.uniform(0.6, 1.2))
    return _with_path(digit, index, np.concatenate([path[:corner + 1], loop, path[corner + 1:]]))


def curled_start(digit: PenDigit, rng: np.random.Generator) -> PenDigit:
    """The digit begun with a small loop where the pen lands, before it heads off along its path."""
    index, path, _, height = _longest_path(digit)
    if len(path) < 8:
        return digit
    heading = float(np.arctan2(path[5, 1] - path[0, 1], path[5, 0] - path[0, 0]))
    turn = (1.0 if rng.random() < 0.5 else -1.0) * 2 * np.pi
    curl = _loop_from(path[0], heading, height * rng.uniform(*CURL_RADII), turn)
    return _with_path(digit, index, np.concatenate([curl, path]))


def narrowed(digit: PenDigit, rng: np.random.Generator) -> PenDigit:
    """The digit written narrower, as upright school cursive is."""
    factor = np.array([rng.uniform(NARROWEST, 1.0), 1.0], np.float32)
    return PenDigit(digit.label, digit.writer, tuple(path * factor for path in digit.strokes))


def cursive_two(digit: PenDigit, rng: np.random.Generator, curl_probability: float) -> PenDigit:
    """A pen '2' in school cursive: looped at the base, begun with a curl at `curl_probability`, and narrowed."""
    looped = looped_base(digit, rng)
    return narrowed(curled_start(looped, rng) if rng.random() < curl_probability else looped, rng)
