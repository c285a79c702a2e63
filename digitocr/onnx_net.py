"""The networks without TensorFlow: a `.keras` archive's layers rebuilt as an ONNX graph, run by ONNX Runtime.

Importing TensorFlow takes seconds and each Keras call costs milliseconds of
overhead; ONNX Runtime starts in a fraction of a second and answers a few
digits in about a millisecond. The archive is read as data (its JSON config
and HDF5 weights), so no code from the file runs. Batch normalisation is
folded into the convolution before it. Only the layers the project's networks
are built from are translated; an archive with others raises
`UnsupportedLayers` and is run through Keras instead.
"""

import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np

NUM_CLASSES = 10
ALL_CORES = 0  # ONNX Runtime's default thread count, one per core: a read's digits classified in about half the time
ALLOW_SPINNING = "0"  # idle inference threads sleep: busy-waiting doubled a read's CPU and starved the CLI's workers
ONNX_IR_VERSION = 8  # understood by every ONNX Runtime release since 1.10
ONNX_OPSET = 17


class UnsupportedLayers(ValueError):
    """The archive holds layers or settings this translation does not cover."""


def read_archive(path: Path) -> tuple[list[dict], dict[str, list[np.ndarray]]]:
    """The layer configs of a Sequential `.keras` archive and each layer's weights by name."""
    import h5py

    with zipfile.ZipFile(path) as archive:
        config = json.loads(archive.read("config.json"))
        weights_file = io.BytesIO(archive.read("model.weights.h5"))
    if config.get("class_name") != "Sequential":
        raise UnsupportedLayers(f"a {config.get('class_name')} model, not a Sequential one")
    layers = config["config"]["layers"]
    weights = {}
    with h5py.File(weights_file, "r") as stored:
        for layer, key in zip(layers, stored_layer_keys(layers)):
            variables = stored["layers"][key].get("vars", {}) if key else {}
            weights[layer["config"]["name"]] = [variables[str(index)][()] for index in range(len(variables))]
    return layers, weights


def snake_case(class_name: str) -> str:
    """Keras' spelling of a class name in its files: `ReLU` is `re_lu`, `MaxPooling2D` is `max_pooling2d`."""
    spaced = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", spaced).lower()


def stored_layer_keys(layers: list[dict]) -> list[str | None]:
    """Where each layer's weights lie in the archive: Keras files them by class name and count, not by layer name.

    A model built after others in one process has names like `conv2d_5`, while
    its file still says `conv2d`; the input layer has no entry.
    """
    used: dict[str, int] = {}
    keys: list[str | None] = []
    for layer in layers:
        if layer["class_name"] == "InputLayer":
            keys.append(None)
            continue
        base = snake_case(layer["class_name"])
        count = used.get(base, -1) + 1
        used[base] = count
        keys.append(f"{base}_{count}" if count else base)
    return keys


def input_shape(layers: list[dict]) -> tuple:
    """The model's input shape as Keras gives it, batch first: (None, 28, 28, 1) for the classifier."""
    if not layers or layers[0]["class_name"] != "InputLayer":
        raise UnsupportedLayers("no input layer")
    shape = tuple(layers[0]["config"].get("batch_shape") or ())
    if len(shape) != 4 or shape[-1] != 1:
        raise UnsupportedLayers(f"input shape {shape}; expected one-channel images (None, height, width, 1)")
    return shape


def build_graph(layers: list[dict], weights: dict[str, list[np.ndarray]]) -> bytes:
    """The serialised ONNX model, taking and giving what the Keras model does (channels last).

    A network that ends flat, as the classifier does, gives (N, units); one
    that stays an image, as the line recognizer does, gives (N, H, W, C).
    """
    from onnx import TensorProto, helper, numpy_helper

    nodes, initialisers = [], []

    def constant(name: str, value: np.ndarray) -> str:
        initialisers.append(numpy_helper.from_array(np.ascontiguousarray(value, np.float32), name))
        return name

    def add(op: str, inputs: list[str], output: str, **attributes) -> str:
        nodes.append(helper.make_node(op, inputs, [output], **attributes))
        return output

    shape_in = input_shape(layers)
    current = add("Transpose", ["input"], "channels_first", perm=[0, 3, 1, 2])
    flat, index, units = False, 1, None
    while index < len(layers):
        kind, config = layers[index]["class_name"], layers[index]["config"]
        name = config["name"]
        if kind == "Conv2D" and not flat and config["strides"] == [1, 1] and config["dilation_rate"] == [1, 1] \
                and config["groups"] == 1 and config["activation"] in ("linear", "relu", "softmax"):
            kernel = weights[name][0]
            bias = weights[name][1] if config["use_bias"] else np.zeros(kernel.shape[-1], np.float32)
            following = layers[index + 1] if index + 1 < len(layers) else None
            if config["activation"] == "linear" and following and following["class_name"] == "BatchNormalization" \
                    and following["config"]["axis"] in (-1, 3):
                gamma, beta, mean, variance = weights[following["config"]["name"]]
                scale = gamma / np.sqrt(variance + following["config"]["epsilon"])
                kernel, bias = kernel * scale, (bias - mean) * scale + beta
                index += 1
            rows, columns = kernel.shape[:2]
            pads = [rows // 2, columns // 2, rows - 1 - rows // 2, columns - 1 - columns // 2] \
                if config["padding"] == "same" else [0, 0, 0, 0]
            current = add("Conv", [current, constant(f"{name}/kernel", kernel.transpose(3, 2, 0, 1)),
                                   constant(f"{name}/bias", bias)], name, kernel_shape=[rows, columns], pads=pads)
            if config["activation"] == "relu":
                current = add("Relu", [current], f"{name}/relu")
            elif config["activation"] == "softmax":
                current = add("Softmax", [current], f"{name}/softmax", axis=1)
            units = config["filters"]
        elif kind == "ReLU" and config.get("max_value") is None and not config.get("negative_slope") \
                and not config.get("threshold"):
            current = add("Relu", [current], name)
        elif kind == "MaxPooling2D" and not flat and config["padding"] == "valid":
            current = add("MaxPool", [current], name, kernel_shape=config["pool_size"], strides=config["strides"])
        elif kind == "GlobalAveragePooling2D" and not flat and not config.get("keepdims"):
            current = add("Flatten", [add("GlobalAveragePool", [current], f"{name}/pooled")], name)
            flat = True
        elif kind == "Dropout":
            pass
        elif kind == "Dense" and flat and config["activation"] in ("linear", "relu", "softmax"):
            kernel = weights[name][0]
            bias = weights[name][1] if config["use_bias"] else np.zeros(kernel.shape[1], np.float32)
            current = add("Gemm", [current, constant(f"{name}/kernel", kernel), constant(f"{name}/bias", bias)],
                          f"{name}/linear")
            if config["activation"] != "linear":
                current = add({"relu": "Relu", "softmax": "Softmax"}[config["activation"]], [current], name)
            units = config["units"]
        else:
            raise UnsupportedLayers(f"layer {name} ({kind}) with these settings")
        index += 1
    if layers[-1]["config"].get("activation") != "softmax":
        raise UnsupportedLayers("the last layer does not give probabilities (softmax)")
    if flat:
        shape_out = [None, units]
    else:
        current = add("Transpose", [current], "channels_last", perm=[0, 2, 3, 1])
        shape_out = [None, None, None, units]
    graph = helper.make_graph(
        nodes, "keras_sequential",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, list(shape_in))],
        [helper.make_tensor_value_info(current, TensorProto.FLOAT, shape_out)], initialisers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", ONNX_OPSET)], ir_version=ONNX_IR_VERSION)
    return model.SerializeToString()


def _known_dims(shape: list) -> tuple:
    """ONNX Runtime's shape with every free dimension as None, as Keras writes it."""
    return tuple(dim if isinstance(dim, int) else None for dim in shape)


class OnnxNet:
    """A compiled ONNX Runtime session, called with a float32 batch shaped as the Keras model's input."""

    def __init__(self, serialised: bytes, threads: int = ALL_CORES):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        options.intra_op_num_threads = threads
        options.add_session_config_entry("session.intra_op.allow_spinning", ALLOW_SPINNING)
        self.session = onnxruntime.InferenceSession(serialised, options, providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name

    @property
    def input_shape(self) -> tuple:
        return _known_dims(self.session.get_inputs()[0].shape)

    @property
    def output_shape(self) -> tuple:
        return _known_dims(self.session.get_outputs()[0].shape)

    @classmethod
    def from_archive(cls, path: Path, threads: int = ALL_CORES) -> "OnnxNet":
        return cls(build_graph(*read_archive(path)), threads)

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return self.session.run(None, {self.input_name: batch})[0]
