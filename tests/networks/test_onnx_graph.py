import subprocess
import sys

import numpy as np

from conftest import PROJECT
from digitocr.networks.onnx_graph import Graph, Node
from digitocr.networks.onnx_net import OnnxNet


def test_a_graph_written_without_the_onnx_package_runs_in_onnx_runtime_as_numpy_computes_it():
    """Every part of the format the networks use: integer and list attributes (a negative one too), tensors of
    floats, int8 and a 0-d scale, free and fixed dimensions."""
    weights = np.array([0.5, -2.0], np.float32)
    offsets = np.array([3, -7], np.int8)
    graph = Graph([Node("Transpose", ("input",), ("turned",), {"perm": [0, 2, 1]}),
                   Node("Mul", ("turned", "weights"), ("scaled",)),
                   Node("DequantizeLinear", ("offsets", "scale", "zero"), ("offsets/dq",)),
                   Node("Add", ("scaled", "offsets/dq"), ("shifted",)),
                   Node("Softmax", ("shifted",), ("probabilities",), {"axis": -1})],
                  {"weights": weights, "offsets": offsets, "scale": np.array(0.25, np.float32),
                   "zero": np.array(0, np.int8)},
                  (None, 2, 3), "probabilities", (None, 3, 2))
    batch = np.random.default_rng(0).normal(size=(4, 2, 3)).astype(np.float32)
    shifted = batch.transpose(0, 2, 1) * weights + offsets * np.float32(0.25)
    expected = np.exp(shifted) / np.exp(shifted).sum(axis=-1, keepdims=True)
    net = OnnxNet(graph.serialised(), threads=1)
    assert net.input_shape == (None, 2, 3) and net.output_shape == (None, 3, 2)
    assert np.allclose(net(batch), expected, atol=1e-6)


def test_a_reader_loads_its_networks_without_importing_the_onnx_package():
    """Importing `onnx` loads `ml_dtypes`, more than half a reader's start-up on the 2-core machine."""
    loaded = subprocess.run([sys.executable, "-c", "import sys; from digitocr.reader import Reader; Reader(); "
                             "print(sorted({'onnx', 'ml_dtypes', 'tensorflow', 'keras'} & set(sys.modules)))"],
                            cwd=PROJECT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
