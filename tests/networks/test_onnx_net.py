import subprocess
import sys

import numpy as np

from conftest import PROJECT, SAMPLES
from digitocr.networks.classifier import DigitClassifier
from digitocr.networks.model_files import save_model


def test_strided_and_depthwise_convolutions_with_batch_normalisation_run_as_keras_runs_them(tmp_path):
    import keras
    from keras import layers

    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(8, 3, strides=2, padding="same", use_bias=False), layers.BatchNormalization(), layers.ReLU(),
        layers.DepthwiseConv2D(3, strides=2, padding="same", use_bias=False), layers.BatchNormalization(),
        layers.ReLU(),
        layers.DepthwiseConv2D(5, padding="same", depth_multiplier=2), layers.Conv2D(6, 1),
        layers.GlobalAveragePooling2D(), layers.Dense(10, activation="softmax")])
    rng = np.random.default_rng(2)
    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):  # statistics far from a fresh layer's zeros and ones
            gamma, beta, _, _ = layer.get_weights()
            layer.set_weights([gamma * rng.uniform(0.5, 2, gamma.shape), rng.normal(0, 0.5, beta.shape),
                               rng.normal(0, 0.5, gamma.shape), rng.uniform(0.5, 2, gamma.shape)])
    save_model(model, tmp_path / "strided.keras")
    inputs = rng.random((16, 28, 28, 1), dtype=np.float32)
    classifier = DigitClassifier.load(tmp_path / "strided.keras")
    assert np.allclose(classifier.predict(inputs), np.asarray(model(inputs, training=False)), atol=1e-5)
    stride_two, depthwise, multiplied, mix = 14 * 14 * 9 * 8, 7 * 7 * 9 * 8, 7 * 7 * 25 * 16, 7 * 7 * 16 * 6
    assert classifier.multiply_adds == stride_two + depthwise + multiplied + mix + 6 * 10


def test_reading_with_every_shipped_model_loads_neither_tensorflow_nor_keras():
    """The shipped models run through ONNX Runtime alone: a fresh interpreter reads a sample without importing the
    training stack, which a deployed server need not install."""
    script = ("import sys; from digitocr import Reader; "
              f"text = Reader().read({str(SAMPLES / '4096_paper.png')!r}).text; "
              "print(text, sorted(name for name in ('tensorflow', 'keras') if name in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True, text=True, timeout=120,
                          check=True)
    assert done.stdout.split() == ["4096", "[]"]
