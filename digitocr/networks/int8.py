"""A translated network's convolutions run on 8-bit integers: about 1.5 times as fast on a CPU with VNNI; on one with
AVX2 alone, within the spread of the float network's times.

ONNX Runtime runs a convolution on 8-bit integers where the graph says so:
its input dequantized from 8 bits, its weights too, and its output
quantized again (the QDQ form), which it fuses into one integer
convolution. The weights' scales come from the weights themselves, one per
output channel; the activations' ranges from running the float network on
lessons like those it learned from (`train_lines.record_int8_ranges`), kept in the
model's card, since what a convolution meets cannot be told from its
weights. The last convolution stays in floats: it gives the logits, and a
text the recognizer is 99.99% sure of must not be cut to 99.6% by 8-bit
steps, for the field confidence weighs exactly that (`confidence`).
"""

from collections.abc import Iterable
from dataclasses import replace

import numpy as np

from .onnx_graph import Graph, Node

WEIGHT_LIMIT = 64  # int8 weights held to 7 bits, symmetric about zero: x86 without VNNI (AVX2's vpmaddubsw) sums
# two uint8-by-int8 products in 16 bits, and 255 times two weights past +-64 overflows them; at 7 bits no sum can, so
# every machine reads alike. At +-127 an AVX2-only EPYC read 40 and 28 stress scenes fewer than floats (seeds 5150, 7)
ACTIVATION_LEVELS = 255  # activations as uint8


def quantized_convolutions(nodes: list[Node]) -> list[Node]:
    """The convolutions that run on integers: all but the last, which gives the logits."""
    return [node for node in nodes if node.op_type == "Conv"][:-1]


def quantized_tensors(nodes: list[Node]) -> list[str]:
    """The tensors held in 8 bits: each integer convolution's input, and its output after its ReLU."""
    consumers: dict[str, list[Node]] = {}
    for node in nodes:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    names = []
    for conv in quantized_convolutions(nodes):
        output = conv.output[0]
        after = consumers.get(output, [])
        if len(after) == 1 and after[0].op_type == "Relu":
            output = after[0].output[0]
        names += [conv.input[0], output]
    return list(dict.fromkeys(names))


def activation_ranges(graph: Graph, batches: Iterable[np.ndarray]) -> dict[str, tuple[float, float]]:
    """The least and greatest value of each of `quantized_tensors` over the float network's answers to `batches`."""
    import onnxruntime

    names = quantized_tensors(graph.nodes)
    session = onnxruntime.InferenceSession(graph.serialised(tuple(names)), providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name
    lowest, highest = {name: np.inf for name in names}, {name: -np.inf for name in names}
    for batch in batches:
        for name, value in zip(names, session.run(names, {input_name: batch})):
            lowest[name], highest[name] = min(lowest[name], float(value.min())), max(highest[name], float(value.max()))
    return {name: (lowest[name], highest[name]) for name in names}


def activation_scale(low: float, high: float) -> tuple[float, int]:
    """uint8 scale and zero point for values from `low` to `high`; zero is exact, as padding needs."""
    low, high = min(low, 0.0), max(high, 0.0)
    scale = (high - low) / ACTIVATION_LEVELS or 1.0
    return scale, int(np.clip(round(-low / scale), 0, ACTIVATION_LEVELS))


def with_int8_convolutions(graph: Graph, ranges: dict[str, tuple[float, float]]) -> Graph:
    """The float network with `quantized_convolutions` on integers, its activations in the `ranges` measured.

    A max pooling between two quantized tensors keeps its input's scale, so
    it too runs on integers: the greatest of values in a range lies in it.
    """
    nodes = graph.nodes
    names = quantized_tensors(nodes)
    missing = [name for name in names if name not in ranges]
    if missing:
        raise ValueError(f"no measured range for {', '.join(missing)}")
    scales = {name: activation_scale(*ranges[name]) for name in names}
    for node in nodes:
        if node.op_type == "MaxPool" and node.input[0] in scales and node.output[0] in scales:
            scales[node.output[0]] = scales[node.input[0]]
    rewrite = QdqRewrite(graph.initialisers)
    integer = {id(node) for node in quantized_convolutions(nodes)}
    for node in nodes:
        rewrite.add(node, scales[node.input[0]][0] if id(node) in integer else None)
        for name in node.output:
            if name in scales:
                rewrite.quantize(name, *scales[name])
    used = {name for node in rewrite.nodes for name in node.input}
    kept = {name: value for name, value in graph.initialisers.items() if name in used}
    return replace(graph, nodes=rewrite.nodes, initialisers=kept | rewrite.constants)


class QdqRewrite:
    """A graph's nodes copied in order, with quantize-dequantize pairs after the tensors held in 8 bits and
    dequantized integer weights before the convolutions that run on integers; later nodes read the dequantized
    copies."""

    def __init__(self, weights: dict[str, np.ndarray]):
        self.weights = weights
        self.nodes: list[Node] = []
        self.constants: dict[str, np.ndarray] = {}
        self.dequantized: dict[str, str] = {}

    def constant(self, name: str, value: np.ndarray) -> str:
        self.constants[name] = value
        return name

    def add(self, node: Node, input_scale: float | None) -> None:
        """`node`, reading the dequantized copies of its inputs; with integer weights where `input_scale` is given."""
        inputs = [self.dequantized.get(name, name) for name in node.input]
        if input_scale is not None:
            inputs[1], inputs[2] = self.integer_weights(node.input[1], node.input[2], input_scale)
        self.nodes.append(replace(node, input=tuple(inputs)))

    def integer_weights(self, kernel_name: str, bias_name: str, input_scale: float) -> tuple[str, str]:
        """A convolution's kernel as int8, one scale per output channel, and its bias as int32 on the scale of the
        products (the input's times the channel's), each dequantized, as ONNX Runtime fuses them."""
        kernel, bias = self.weights[kernel_name], self.weights[bias_name]
        channel_scales = (np.abs(kernel).reshape(len(kernel), -1).max(axis=1) / WEIGHT_LIMIT).astype(np.float32)
        channel_scales[channel_scales == 0] = 1.0
        shape = (-1,) + (1,) * (kernel.ndim - 1)
        kernel_q = np.clip(np.round(kernel / channel_scales.reshape(shape)), -WEIGHT_LIMIT, WEIGHT_LIMIT)
        bias_scales = (input_scale * channel_scales).astype(np.float32)
        for name, values, scales, zero in ((kernel_name, kernel_q.astype(np.int8), channel_scales, np.int8),
                                           (bias_name, np.round(bias / bias_scales).astype(np.int32), bias_scales,
                                            np.int32)):
            self.nodes.append(Node("DequantizeLinear", (
                self.constant(f"{name}/{np.dtype(zero).name}", values), self.constant(f"{name}/scale", scales),
                self.constant(f"{name}/zero", np.zeros(len(scales), zero))), (f"{name}/dq",), {"axis": 0}))
        return f"{kernel_name}/dq", f"{bias_name}/dq"

    def quantize(self, name: str, scale: float, zero: int) -> None:
        """Tensor `name` held in 8 bits: later nodes read it quantized and dequantized again."""
        levels = (self.constant(f"{name}/scale", np.array(scale, np.float32)),
                  self.constant(f"{name}/zero", np.array(zero, np.uint8)))
        self.nodes.append(Node("QuantizeLinear", (name,) + levels, (f"{name}/q",)))
        self.nodes.append(Node("DequantizeLinear", (f"{name}/q",) + levels, (f"{name}/dq",)))
        self.dequantized[name] = f"{name}/dq"
