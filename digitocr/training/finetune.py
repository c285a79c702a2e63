"""Fine-tuning the classifier on a user's own digits, mixed with MNIST so it does not forget.

`python -m digitocr.train --finetune DIR --base DigitClassifier.keras --out my_model.keras --data MNIST`
"""

import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DigitOcrError
from ..image.loading import load_image
from ..image.normalize import to_model_input
from ..image.pipeline import single_digit_input
from ..networks.classifier import DEFAULT_MODEL_PATH, DigitClassifier
from ..networks.model_files import model_card_path, model_sha256, save_card, save_model
from ..settings import ReaderSettings
from . import augment
from .mnist import MnistData
from .userdata import NOT_A_DIGIT, read_labels

MIN_SAMPLES = 20
HELD_OUT_SHARE = 0.25
EPOCHS = 6
LEARNING_RATE = 2e-4
MNIST_PER_USER_SAMPLE = 5  # MNIST images mixed in per user sample, against forgetting
AUGMENTED_COPIES = 8  # distorted copies of each user sample per epoch


class FinetuneError(DigitOcrError):
    """The folder cannot be fine-tuned on: too few samples, or files that cannot be read."""


@dataclass(frozen=True)
class UserSamples:
    inputs: np.ndarray  # (N, 28, 28)
    masks: list[np.ndarray]  # binary masks at 96 px, for augmentation
    targets: np.ndarray  # (N, 10) soft targets; uniform for 'not a digit'
    labels: np.ndarray  # (N,) int, -1 for 'not a digit'


def load_user_samples(folder: Path, settings: ReaderSettings = ReaderSettings()) -> UserSamples:
    items, problems = read_labels(folder)
    inputs, masks, labels = [], [], []
    for item in items:
        try:
            pixels = load_image(item.path).pixels
        except DigitOcrError as error:
            problems.append(f"{item.path.name}: {error}")
            continue
        model_input = single_digit_input(pixels, settings)
        if model_input is None:
            problems.append(f"{item.path.name}: no mark found in the image")
            continue
        inputs.append(model_input)
        masks.append((model_input > 0.3).astype(np.uint8))
        labels.append(-1 if item.label == NOT_A_DIGIT else int(item.label))
    if problems:
        raise FinetuneError("Some samples cannot be used; fix or remove them:\n  " + "\n  ".join(problems))
    if len(inputs) < MIN_SAMPLES:
        raise FinetuneError(f"{folder} has {len(inputs)} usable samples; fine-tuning needs at least {MIN_SAMPLES}.")
    labels = np.array(labels)
    targets = np.full((len(labels), 10), 0.1, np.float32)
    targets[labels >= 0] = np.eye(10, dtype=np.float32)[labels[labels >= 0]]
    return UserSamples(np.stack(inputs), masks, targets, labels)


def split(samples: UserSamples, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Indices for training and held-out evaluation, a quarter of each label held out."""
    train, held = [], []
    for label in np.unique(samples.labels):
        members = rng.permutation(np.nonzero(samples.labels == label)[0])
        cut = int(round(len(members) * HELD_OUT_SHARE)) if len(members) >= 2 else 0
        held += list(members[:cut])
        train += list(members[cut:])
    return np.array(train), np.array(held)


def digit_accuracy(classifier: DigitClassifier, inputs: np.ndarray, labels: np.ndarray,
                   settings: ReaderSettings = ReaderSettings()) -> float:
    """Share of digits read right; a 'not a digit' sample is right when its top probability is under the limit."""
    if len(inputs) == 0:
        return float("nan")
    probabilities = classifier.predict(inputs)
    right = np.where(labels >= 0, probabilities.argmax(axis=1) == labels,
                     probabilities.max(axis=1) < settings.reject_below)
    return float(right.mean())


def finetune(folder: Path, base: Path, out: Path, mnist: MnistData, seed: int = 1234) -> dict:
    import keras

    if Path(out).resolve() in (Path(base).resolve(), DEFAULT_MODEL_PATH.resolve()):
        raise FinetuneError(f"{out} would overwrite the base or the shipped model; choose another --out.")

    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    samples = load_user_samples(folder)
    train_index, held_index = split(samples, rng)
    base_classifier = DigitClassifier.load(base)
    test_images = mnist.test_images.astype(np.float32) / 255.0
    before = {"own_held_out": digit_accuracy(base_classifier, samples.inputs[held_index], samples.labels[held_index]),
              "mnist_test": digit_accuracy(base_classifier, test_images, mnist.test_labels)}
    print(f"{len(train_index)} samples to learn from, {len(held_index)} held out; before: "
          f"own {before['own_held_out']:.3f}, MNIST {before['mnist_test']:.4f}", flush=True)

    model = base_classifier.keras_model()
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False  # keep the base's normalisation statistics: less forgetting
    model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE), loss="categorical_crossentropy")
    settings = augment.AugmentSettings()
    started = time.perf_counter()
    for epoch in range(1, EPOCHS + 1):
        own_inputs = [samples.inputs[train_index]]
        own_targets = [samples.targets[train_index]]
        for _ in range(AUGMENTED_COPIES):
            own_inputs.append(np.stack([augment.degrade(to_model_input(
                augment.random_affine(samples.masks[i], rng, settings)), rng, settings) for i in train_index]))
            own_targets.append(samples.targets[train_index])
        picks = rng.integers(0, len(mnist.train_images), MNIST_PER_USER_SAMPLE * len(train_index) * AUGMENTED_COPIES)
        inputs = np.concatenate(own_inputs + [mnist.train_images[picks].astype(np.float32) / 255.0])
        targets = np.concatenate(own_targets + [np.eye(10, dtype=np.float32)[mnist.train_labels[picks]]])
        order = rng.permutation(len(inputs))
        print(f"epoch {epoch}/{EPOCHS}", flush=True)
        model.fit(inputs[order][..., None], targets[order], batch_size=64, epochs=1,
                  verbose=1 if sys.stdout.isatty() else 2)
    save_model(model, out)
    tuned = DigitClassifier.from_keras(model)
    after = {"own_held_out": digit_accuracy(tuned, samples.inputs[held_index], samples.labels[held_index]),
             "mnist_test": digit_accuracy(tuned, test_images, mnist.test_labels)}
    print(f"after: own {after['own_held_out']:.3f}, MNIST {after['mnist_test']:.4f}", flush=True)
    card = {"model": out.name, "sha256": model_sha256(out),
            "fine_tuned_from": {"path": str(base), "sha256": model_sha256(base)},
            "own_samples": {"folder": str(folder), "train": int(len(train_index)), "held_out": int(len(held_index))},
            "accuracy_before": before, "accuracy_after": after, "epochs": EPOCHS, "learning_rate": LEARNING_RATE,
            "frozen": "batch normalisation layers",
            "mnist_mixed_per_sample": MNIST_PER_USER_SAMPLE, "seed": seed,
            "training_seconds": round(time.perf_counter() - started, 1),
            "data": {"mnist": {"source": mnist.source, "md5": mnist.md5}}}
    save_card(model_card_path(out), card)
    print(f"wrote {out} and {model_card_path(out)}", flush=True)
    return card
