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

from .onnx_graph import Graph, Node

ALL_CORES = 0  # ONNX Runtime's default thread count, one per core: a read's digits classified in about half the time
ALLOW_SPINNING = "0"  # idle inference threads sleep: busy-waiting doubled a read's CPU and starved the CLI's workers


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


class GraphBuilder:
    """An ONNX graph grown layer by layer: its nodes, its constants and the name of the latest output."""

    def __init__(self, size: tuple[int | None, int | None]):
        self.nodes: list[Node] = []
        self.initialisers: dict[str, np.ndarray] = {}
        self.current = "input"
        self.size = size  # rows and columns of the latest output, None where the input's may vary
        self.flat = False  # the features are a vector (after global pooling), no longer an image
        self.units: int | None = None  # channels or units of the latest layer with weights
        self.multiply_adds: int | None = 0  # per input, where its size is fixed; None where it varies

    def constant(self, name: str, value: np.ndarray) -> str:
        self.initialisers[name] = np.ascontiguousarray(value, np.float32)
        return name

    def add(self, op: str, inputs: list[str], output: str, **attributes) -> str:
        self.nodes.append(Node(op, tuple(inputs), (output,), attributes))
        self.current = output
        return output

    def activation(self, kind: str, name: str, **attributes) -> None:
        """ReLU or softmax after a layer's linear part; nothing for a linear layer."""
        if kind != "linear":
            self.add({"relu": "Relu", "softmax": "Softmax"}[kind], [self.current], name, **attributes)


def _folded_kernel(layers: list[dict], index: int, weights: dict) -> tuple[np.ndarray, np.ndarray, int]:
    """A convolution's kernel and bias with the batch normalisation after it folded in, and the layers used up.

    A depthwise kernel, (rows, columns, channels, multiplier), is scaled per
    output channel as an ordinary one, (rows, columns, in, out), is.
    """
    config = layers[index]["config"]
    kernel = weights[config["name"]][0]
    outputs = kernel.shape[-1] if layers[index]["class_name"] == "Conv2D" else kernel.shape[2] * kernel.shape[3]
    bias = weights[config["name"]][1] if config["use_bias"] else np.zeros(outputs, np.float32)
    following = layers[index + 1] if index + 1 < len(layers) else None
    if config["activation"] == "linear" and following and following["class_name"] == "BatchNormalization" \
            and following["config"]["axis"] in (-1, 3):
        gamma, beta, mean, variance = weights[following["config"]["name"]]
        scale = gamma / np.sqrt(variance + following["config"]["epsilon"])
        return kernel * scale.reshape(kernel.shape[-2:] if outputs != kernel.shape[-1] else -1), \
            (bias - mean) * scale + beta, 2
    return kernel, bias, 1


def _padding(graph: GraphBuilder, config: dict, kernel: tuple[int, int]) -> list[int]:
    """ONNX's pads (top, left, bottom, right) for Keras' padding; the graph learns the size of the output.

    'same' pads as TensorFlow does: the output is the input's size over the
    stride, rounded up, and an odd total of padding puts the extra row or
    column after. A stride over 1 needs the input's size, so it is known only
    where the network's input is fixed (the classifier's, not a line's).
    """
    strides = config["strides"]
    if any(stride > 1 and size is None for stride, size in zip(strides, graph.size)):
        raise UnsupportedLayers(f"layer {config['name']}: a stride over 1 on an input of varying size")
    totals, sizes = [], []
    for size, length, stride in zip(graph.size, kernel, strides):
        if config["padding"] == "same":
            totals.append(length - 1 if stride == 1 else max((-(-size // stride) - 1) * stride + length - size, 0))
            sizes.append(None if size is None else -(-size // stride))
        else:
            totals.append(0)
            sizes.append(None if size is None else (size - length) // stride + 1)
    graph.size = tuple(sizes)
    return [totals[0] // 2, totals[1] // 2, totals[0] - totals[0] // 2, totals[1] - totals[1] // 2]


def _conv(graph: GraphBuilder, layers: list[dict], index: int, weights: dict) -> int:
    """A Conv2D or DepthwiseConv2D layer, with the batch normalisation after it folded in."""
    kind, config = layers[index]["class_name"], layers[index]["config"]
    if graph.flat or config["dilation_rate"] != [1, 1] or config.get("groups", 1) != 1 \
            or config["activation"] not in ("linear", "relu", "softmax"):
        raise UnsupportedLayers(f"layer {config['name']} ({kind}) with these settings")
    name = config["name"]
    kernel, bias, used = _folded_kernel(layers, index, weights)
    rows, columns = kernel.shape[:2]
    pads = _padding(graph, config, (rows, columns))
    strides = {} if config["strides"] == [1, 1] else {"strides": config["strides"]}
    if kind == "DepthwiseConv2D":
        channels = kernel.shape[2]
        onnx_kernel = kernel.transpose(2, 3, 0, 1).reshape(-1, 1, rows, columns)
        strides["group"] = channels
    else:
        onnx_kernel = kernel.transpose(3, 2, 0, 1)
    if graph.multiply_adds is not None:
        graph.multiply_adds = None if None in graph.size else \
            graph.multiply_adds + graph.size[0] * graph.size[1] * onnx_kernel[0].size * len(onnx_kernel)
    graph.add("Conv", [graph.current, graph.constant(f"{name}/kernel", onnx_kernel),
                       graph.constant(f"{name}/bias", bias)], name, kernel_shape=[rows, columns], pads=pads, **strides)
    graph.activation(config["activation"], f"{name}/{config['activation']}",
                     **({"axis": 1} if config["activation"] == "softmax" else {}))  # over the channels
    graph.units = len(bias)
    return used


def _dense(graph: GraphBuilder, layers: list[dict], index: int, weights: dict) -> int:
    config = layers[index]["config"]
    if not graph.flat or config["activation"] not in ("linear", "relu", "softmax"):
        raise UnsupportedLayers(f"layer {config['name']} (Dense) with these settings")
    name = config["name"]
    kernel = weights[name][0]
    bias = weights[name][1] if config["use_bias"] else np.zeros(kernel.shape[1], np.float32)
    if graph.multiply_adds is not None:
        graph.multiply_adds += kernel.size
    graph.add("Gemm", [graph.current, graph.constant(f"{name}/kernel", kernel), graph.constant(f"{name}/bias", bias)],
              f"{name}/linear")
    graph.activation(config["activation"], name)
    graph.units = config["units"]
    return 1


def _plain(graph: GraphBuilder, layers: list[dict], index: int, weights: dict) -> int:
    """The layers without weights: ReLU, max pooling, global average pooling and dropout (nothing at inference)."""
    kind, config = layers[index]["class_name"], layers[index]["config"]
    name = config["name"]
    if kind == "ReLU" and config.get("max_value") is None and not config.get("negative_slope") \
            and not config.get("threshold"):
        graph.add("Relu", [graph.current], name)
    elif kind == "MaxPooling2D" and not graph.flat and config["padding"] == "valid":
        graph.add("MaxPool", [graph.current], name, kernel_shape=config["pool_size"], strides=config["strides"])
        graph.size = tuple(None if size is None else (size - pool) // stride + 1
                           for size, pool, stride in zip(graph.size, config["pool_size"], config["strides"]))
    elif kind == "GlobalAveragePooling2D" and not graph.flat and not config.get("keepdims"):
        graph.add("Flatten", [graph.add("GlobalAveragePool", [graph.current], f"{name}/pooled")], name)
        graph.flat = True
    elif kind != "Dropout":
        raise UnsupportedLayers(f"layer {name} ({kind}) with these settings")
    return 1


TRANSLATORS = {"Conv2D": _conv, "DepthwiseConv2D": _conv, "Dense": _dense}


def translate(layers: list[dict], weights: dict[str, list[np.ndarray]]) -> GraphBuilder:
    """The Keras layers as ONNX nodes, taking what the Keras model does (channels last)."""
    graph = GraphBuilder(input_shape(layers)[1:3])
    graph.add("Transpose", ["input"], "channels_first", perm=[0, 3, 1, 2])
    index = 1
    while index < len(layers):
        index += TRANSLATORS.get(layers[index]["class_name"], _plain)(graph, layers, index, weights)
    if layers[-1]["config"].get("activation") != "softmax":
        raise UnsupportedLayers("the last layer does not give probabilities (softmax)")
    return graph


def build_graph(layers: list[dict], graph: GraphBuilder) -> Graph:
    """The ONNX graph, giving what the Keras model does (channels last).

    A network that ends flat, as the classifier does, gives (N, units); one
    that stays an image, as the line recognizer does, gives (N, H, W, C).
    """
    if graph.flat:
        shape_out = (None, graph.units)
    else:
        graph.add("Transpose", [graph.current], "channels_last", perm=[0, 2, 3, 1])
        shape_out = (None, None, None, graph.units)
    return Graph(graph.nodes, graph.initialisers, input_shape(layers), graph.current, shape_out)


def float_graph(path: Path) -> tuple[Graph, int | None]:
    """The archive's network as an ONNX graph in floats, and its multiply-adds per input where fixed."""
    layers, weights = read_archive(path)
    graph = translate(layers, weights)
    return build_graph(layers, graph), graph.multiply_adds


def _known_dims(shape: list) -> tuple:
    """ONNX Runtime's shape with every free dimension as None, as Keras writes it."""
    return tuple(dim if isinstance(dim, int) else None for dim in shape)


class OnnxNet:
    """A compiled ONNX Runtime session, called with a float32 batch shaped as the Keras model's input."""

    def __init__(self, serialised: bytes, threads: int = ALL_CORES, multiply_adds: int | None = None):
        import onnxruntime

        self.multiply_adds = multiply_adds  # per input, where the input's size is fixed
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
    def from_archive(cls, path: Path, threads: int = ALL_CORES,
                     int8_ranges: dict[str, tuple[float, float]] | None = None) -> "OnnxNet":
        """The archive's network; where its activations' ranges are given (from its card), with its convolutions on
        8-bit integers (`int8`)."""
        graph, multiply_adds = float_graph(path)
        if int8_ranges:
            from .int8 import with_int8_convolutions

            graph = with_int8_convolutions(graph, int8_ranges)
        return cls(graph.serialised(), threads, multiply_adds)

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return self.session.run(None, {self.input_name: batch})[0]
