"""An ONNX graph held as plain data and written as ONNX's protobuf bytes, without the `onnx` package.

Importing `onnx` loads `ml_dtypes`, whose extension took 0.6-0.9 s to load
on the slower 2-core machine: more than half of a reader's start-up, paid
again by every CLI worker. The project's networks need a small part of ONNX's
format: nodes with integer attributes, tensors of numbers, one input and the
outputs with their shapes. That part is written here, field by field, in the
order the protobuf library writes them (by field number, repeated numbers
unpacked as in ONNX's proto2 schema), so the bytes are those `onnx.helper`
made for every shipped network.
"""

from dataclasses import dataclass, field

import numpy as np

IR_VERSION = 8  # understood by every ONNX Runtime release since 1.10
OPSET = 17
FLOAT = 1  # ONNX's TensorProto.DataType numbers
TENSOR_TYPES = {np.dtype(np.float32): FLOAT, np.dtype(np.uint8): 2, np.dtype(np.int8): 3, np.dtype(np.int32): 6,
                np.dtype(np.int64): 7}
ATTRIBUTE_INT, ATTRIBUTE_INTS = 2, 7  # AttributeProto.AttributeType numbers
VARINT, LENGTH_DELIMITED = 0, 2  # protobuf wire types


@dataclass(frozen=True)
class Node:
    """One operator: what it reads and writes by name, and its attributes (integers or lists of them)."""

    op_type: str
    input: tuple[str, ...]
    output: tuple[str, ...]
    attributes: dict[str, int | list[int]] = field(default_factory=dict)


@dataclass
class Graph:
    """Nodes in order, the constants they read, the input's shape and the output with its shape (None where free)."""

    nodes: list[Node]
    initialisers: dict[str, np.ndarray]
    input_shape: tuple[int | None, ...]
    output: str
    output_shape: tuple[int | None, ...]

    def serialised(self, extra_outputs: tuple[str, ...] = ()) -> bytes:
        """The ONNX model's bytes; `extra_outputs` are given too, as floats of any shape (to measure them)."""
        graph = b"".join(_message(1, _node(node)) for node in self.nodes) + _text(2, "keras_sequential") + \
            b"".join(_message(5, _tensor(name, value)) for name, value in self.initialisers.items()) + \
            _message(11, _value_info("input", self.input_shape)) + \
            _message(12, _value_info(self.output, self.output_shape)) + \
            b"".join(_message(12, _value_info(name, None)) for name in extra_outputs)
        return _number(1, IR_VERSION) + _message(7, graph) + _message(8, _text(1, "") + _number(2, OPSET))


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # a negative int64 is written as its two's complement, in ten bytes
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _number(field_number: int, value: int) -> bytes:
    return _varint(field_number << 3 | VARINT) + _varint(value)


def _message(field_number: int, payload: bytes) -> bytes:
    return _varint(field_number << 3 | LENGTH_DELIMITED) + _varint(len(payload)) + payload


def _text(field_number: int, text: str) -> bytes:
    return _message(field_number, text.encode())


def _node(node: Node) -> bytes:
    return b"".join(_text(1, name) for name in node.input) + b"".join(_text(2, name) for name in node.output) + \
        _text(4, node.op_type) + b"".join(_message(5, _attribute(name, value))
                                          for name, value in sorted(node.attributes.items()))


def _attribute(name: str, value: int | list[int]) -> bytes:
    if isinstance(value, (list, tuple)):
        return _text(1, name) + b"".join(_number(8, int(item)) for item in value) + _number(20, ATTRIBUTE_INTS)
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return _text(1, name) + _number(3, int(value)) + _number(20, ATTRIBUTE_INT)
    raise TypeError(f"attribute {name}: {value!r} is not an integer or a list of them")


def _tensor(name: str, value: np.ndarray) -> bytes:
    little_endian = np.ascontiguousarray(value, value.dtype.newbyteorder("<"))
    return b"".join(_number(1, size) for size in value.shape) + _number(2, TENSOR_TYPES[value.dtype]) + \
        _text(8, name) + _message(9, little_endian.tobytes())


def _value_info(name: str, shape: tuple[int | None, ...] | None) -> bytes:
    """A float tensor's name and type; its shape where known, a free dimension left empty."""
    tensor_type = _number(1, FLOAT)
    if shape is not None:
        tensor_type += _message(2, b"".join(_message(1, b"" if size is None else _number(1, size)) for size in shape))
    return _text(1, name) + _message(2, _message(1, tensor_type))
