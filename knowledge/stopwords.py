"""Stop words per language, for BM25 and word-overlap checks: articles, prepositions (and their contractions),
pronouns, conjunctions and the commonest auxiliaries. English's list is `knowledge.text.STOPWORDS`.

Compact on purpose: words that carry a contract's meaning ("non", "entro", "senza", "ogni") are kept out of the
lists, so "non oltre 30 giorni" still weighs "non".
"""

from __future__ import annotations


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


STOPWORDS_BY_LANGUAGE: dict[str, frozenset[str]] = {
    "it": _set(
        "il lo la i gli le l un uno una un' di a da in con su per tra fra del dello della dei degli delle "
        "al allo alla ai agli alle dal dallo dalla dai dagli dalle nel nello nella nei negli nelle sul sullo "
        "sulla sui sugli sulle col coi dell all dall nell sull e ed o od che chi cui ma se anche come quale "
        "quali qual questo questa questi queste quello quella quelli quelle ci si ne vi mi ti lui lei noi voi "
        "loro suo sua suoi sue nostro nostra nostri nostre vostro vostra è e' sono sia siano essere era "
        "erano sarà saranno stato stata stati state ha hanno ho abbiamo avere avuto cosa cos quanto quanta "
        "quanti quante quando dove perché perche c ad"
    ),
    "es": _set(
        "el la los las lo un una unos unas de del a al en con por para sobre entre y e o u que quien cual "
        "cuales como se su sus este esta estos estas ese esa es son ser está están ha han hay qué cuál "
        "cuándo dónde cómo nuestro nuestra le les"
    ),
    "fr": _set(
        "le la les l un une des de du d à au aux en dans par pour sur avec entre et ou que qui quoi dont se "
        "sa son ses ce cette ces est sont être a ont quel quelle quels quelles quand où comment notre nos "
        "vous nous il ils elle elles leur leurs y"
    ),
    "de": _set(
        "der die das den dem des ein eine einen einem einer eines und oder zu zum zur von vom mit bei für auf "
        "an am im in aus über als wie was wer wann wo welche welcher welches ist sind war waren wird werden "
        "hat haben sein es sie er wir ihr unser unsere dass"
    ),
    "pt": _set(
        "o a os as um uma uns umas de do da dos das em no na nos nas por pelo pela para com e ou que quem "
        "qual quais como se seu sua seus suas este esta estes estas é são ser está estão foi há quando onde "
        "nosso nossa ao aos"
    ),
    "nl": _set(
        "de het een en of van in op aan met voor door bij uit tot naar over als dat die dit deze wat wie "
        "welke wanneer waar hoe is zijn was waren wordt worden heeft hebben er ze we wij onze ons"
    ),
}
