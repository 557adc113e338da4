"""A cheap guess at whether a question is in English (the default embedder reads only English)."""

from __future__ import annotations

import re

_ENGLISH = frozenset(
    [
        "the",
        "a",
        "an",
        "is",
        "are",
        "was",
        "what",
        "who",
        "when",
        "where",
        "how",
        "which",
        "do",
        "does",
        "can",
        "could",
        "should",
        "would",
        "will",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "by",
        "we",
        "our",
        "us",
        "they",
        "it",
        "this",
        "that",
        "there",
        "any",
        "if",
        "or",
        "and",
        "not",
        "have",
        "has",
        "be",
    ]
)
_OTHER = frozenset(
    # Spanish, French, German, Portuguese, Italian, Dutch function words that English lacks
    [
        "el",
        "la",
        "los",
        "las",
        "que",
        "del",
        "por",
        "para",
        "una",
        "cuál",
        "cual",
        "cuando",
        "dónde",
        "donde",
        "cómo",
        "como",
        "qué",
        "es",
        "son",
        "hay",
        "le",
        "les",
        "des",
        "est",
        "une",
        "pour",
        "avec",
        "dans",
        "quel",
        "quelle",
        "sont",
        "qui",
        "der",
        "die",
        "das",
        "und",
        "ist",
        "nicht",
        "wie",
        "was",
        "wer",
        "wann",
        "wo",
        "ein",
        "eine",
        "mit",
        "für",
        "auf",
        "o",
        "os",
        "um",
        "uma",
        "não",
        "são",
        "é",
        "com",
        "qual",
        "quando",
        "onde",
        "il",
        "che",
        "di",
        "per",
        "non",
        "sono",
        "gli",
        "het",
        "een",
        "wat",
        "hoe",
        "waar",
        "niet",
        "zijn",
    ]
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def looks_non_english(text: str) -> bool:
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return False
    letters = "".join(words)
    if sum(ch.isascii() for ch in letters) / len(letters) < 0.7:
        return True  # mostly another script (Cyrillic, CJK, Arabic...)
    english = sum(w in _ENGLISH for w in words)
    other = sum(w in _OTHER and w not in _ENGLISH for w in words)
    return other >= 2 and other > english
