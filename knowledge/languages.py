"""Which language a question or a document is written in, offline (lingua's models ship inside its wheel).

`detect(question)` answers only when it is sure: a question of fewer than four words ("sla P1?") that no
function words name, or one whose words split between languages, gets None, and the caller falls back to the
channel's or the user's language rather than guessing. `document_language(text)` reads a document's body
(markup, numbers and identifiers stripped) for its stemming and stop words.

Detection runs in two steps: each language's commonest function words decide clear cases without a model
(even a short question: "abbiamo degli SLA con MMI?" says Italian three times); anything less clear goes to
lingua's high-accuracy mode (all n-gram models, ~2 s to load once; a long-running bot warms it with `warm()` at
start), whose verdict stands when it is confident, or when it agrees with the one language the function words
lean to ("whats the reporting period": `the`, and lingua's English at 56%). Lingua's low-accuracy mode is used
only for documents (thousands of words): on a question it is confidently wrong too often.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # lingua is imported on first use: `liaison --help` stays fast
    from lingua import LanguageDetector

# The languages told apart: the business languages of the engagements Liaison serves (e5 reads all of them).
DETECTED = ("en", "it", "es", "fr", "de", "pt", "nl")
MIN_WORDS = 4  # "sla P1?" or "uptime VPC" is too short to tell
ACCEPT = 0.50  # the high-accuracy verdict's confidence needed to name a language
MARGIN = 0.25  # ... and its lead over the runner-up (less: the words are mixed)

_NOISE = re.compile(
    r"<[^>]*>"  # Slack mentions, links, channels
    r"|https?://\S+|\S+@\S+"  # URLs, e-mail addresses
    r"|`[^`]*`"  # code
    r"|\b[A-Z0-9][A-Z0-9\-_./]*\d[A-Z0-9\-_./]*\b"  # P1, SEV2, ISO-27001, v3.0
    r"|\b[A-Z]{2,}s?\b"  # SLA, SLAs, VPC, MSA
    r"|[\d.,:%/€$£-]+"  # numbers, amounts, dates
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)  # single letters too: "è", "y", "e" say Italian, Spanish
_lock = threading.Lock()


def words_of(text: str) -> list[str]:
    """The words that say which language a text is in (mentions, URLs, codes, acronyms, numbers removed)."""
    return _WORD.findall(_NOISE.sub(" ", text))


_detectors: dict[bool, LanguageDetector] = {}


def _detector(high: bool) -> LanguageDetector:
    """The one detector of each mode (built once, whichever thread asks first; lingua loads its models on the
    first detection)."""
    with _lock:
        if high not in _detectors:
            from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

            languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in DETECTED]
            builder = LanguageDetectorBuilder.from_languages(*languages)
            if not high:
                builder = builder.with_low_accuracy_mode()
            _detectors[high] = builder.build()
        return _detectors[high]


def _ranked(text: str, high: bool) -> list[tuple[str, float]]:
    values = _detector(high).compute_language_confidence_values(text)
    return [(v.language.iso_code_639_1.name.lower(), float(v.value)) for v in values]


# The most frequent function words of each language: a word several languages share ("con", "una") counts a
# share to each. Two or more of one language's, and at least twice as many as of any other, name it without a
# model ("what is the ... for the" is English; lingua's fast mode once called it Italian with 97% confidence).
def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


FUNCTION_WORDS = {
    "en": _set(
        "the what which who whom whose when where why how is are was were does did do can could should would "
        "will shall may must our we they their them us it its this that these those there if of to for with "
        "and or not any have has been be from by at after before within about whats hows whos"
    ),
    "it": _set(
        "il lo gli della dello degli delle dei nel nella nei nelle sul sulla che chi cosa quale quali quanto "
        "quanti quante quando dove come perché è sono siamo hanno ha abbiamo può possono deve devono dobbiamo "
        "del al alla ai alle dal dalla per con non una uno un entro tra fra se anche ci loro nostro nostra "
        "di da ad qual nell nello negli dell all dall sull sui sugli agli questo questa e"
    ),
    "es": _set(
        "el los las del qué cuál cuáles cuánto cuántos cuándo dónde cómo es son está están hay puede pueden "
        "debe deben debemos para por con una uno nuestro nuestra ellos sus plazo y"
    ),
    "fr": _set(
        "le les des du au aux quel quelle quels quelles quand où comment est sont peut peuvent doit doivent "
        "pour avec dans une notre nous vous ils leur qui que sur délai à"
    ),
    "de": _set(
        "der die das den dem des und ist sind wer wie was wann wo welche welcher kann können muss müssen "
        "für mit auf eine einen einem nicht unser wir sie frist"
    ),
    "pt": _set(
        "os as do da dos das qual quais quando onde como é são pode podem deve devem para com uma um nosso "
        "nossa eles não prazo e"
    ),
    "nl": _set(
        "de het een wat wie hoe wanneer waar welke is zijn kan kunnen moet moeten voor met niet onze wij ze van termijn"
    ),
}


def _function_word_scores(words: list[str]) -> list[tuple[float, str]]:
    """Each language's count of function words in `words` (a word shared by k languages counts 1/k), best first."""
    scores = dict.fromkeys(FUNCTION_WORDS, 0.0)
    for word in words:
        owners = [lang for lang, vocab in FUNCTION_WORDS.items() if word.lower() in vocab]
        for lang in owners:
            scores[lang] += 1 / len(owners)
    return sorted(((score, lang) for lang, score in scores.items()), reverse=True)


def _by_function_words(words: list[str]) -> str | None:
    (best, lang), (second, _other) = _function_word_scores(words)[:2]
    return lang if best >= 2 and best >= 2 * second else None


def _leaning(words: list[str]) -> str | None:
    """The one language the function words lean to, if they lean (fewer than decide)."""
    (best, lang), (second, _other) = _function_word_scores(words)[:2]
    return lang if best >= 1 and best > second else None


def detect(text: str, *, min_words: int = MIN_WORDS) -> str | None:
    """The ISO 639-1 code of the language `text` is written in, or None when it is too short or mixed to tell."""
    words = words_of(text)
    found = _by_function_words(words)
    if found is not None:
        return found
    if len(words) < min_words:
        return None
    ranked = _ranked(" ".join(words), high=True)
    if not ranked:
        return None
    best, confidence = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if confidence >= ACCEPT and confidence - runner_up >= MARGIN:
        return best
    return best if best == _leaning(words) and confidence > runner_up else None


def document_language(text: str, *, sample: int = 20_000) -> str | None:
    """The language most of a document's body is written in (its first `sample` characters of words)."""
    words = words_of(text[:sample])
    if len(words) < 20:
        return None
    ranked = _ranked(" ".join(words[:3000]), high=False)
    return ranked[0][0] if ranked and ranked[0][1] >= 0.5 else None


def _load_models() -> None:
    _ranked("warm the models up", high=True)  # lingua loads a language's models on its first detection


def warm() -> threading.Thread:
    """Load the high-accuracy models in the background (a bot calls this at start)."""
    thread = threading.Thread(target=_load_models, name="liaison-languages", daemon=True)
    thread.start()
    return thread
