"""A text to train character-level language models on, generated from a small context-free grammar (no download).

``make_sentences`` writes English-like sentences such as "An old farmer saw the small bird near a river." from the
grammar in ``GRAMMAR``: a few dozen words, noun phrases with optional adjectives and prepositional phrases,
relative clauses, and sentences joined by "and". The text has structure at every scale a model can learn in
seconds (spelling, spaces, capitals after a full stop, word order), and nothing that needs a licence: it is made
by this code. The same ``random_state`` always gives the same text.
"""

from __future__ import annotations

import random

import numpy as np

from .datasets import RandomState, _rng

# Each nonterminal maps to its alternatives, each a list of symbols; a symbol that is not a key is a word. An
# alternative listed twice is drawn twice as often.
GRAMMAR: dict[str, list[list[str]]] = {
    "S": [["CLAUSE"], ["CLAUSE"], ["CLAUSE"], ["CLAUSE", "and", "CLAUSE"]],
    "CLAUSE": [["NP", "VP"]],
    "NP": [["DET", "N"], ["DET", "N"], ["DET", "ADJ", "N"], ["DET", "ADJ", "N"], ["DET", "N", "PP"],
           ["DET", "N", "that", "VT", "NP"]],
    "VP": [["VI"], ["VI"], ["VI", "PP"], ["VT", "NP"], ["VT", "NP"], ["ADV", "VT", "NP"]],
    "PP": [["P", "NP"]],
    "DET": [["the"], ["the"], ["a"], ["every"], ["one"]],
    "ADJ": [["old"], ["small"], ["happy"], ["quiet"], ["green"], ["clever"]],
    "N": [["cat"], ["dog"], ["bird"], ["farmer"], ["child"], ["river"], ["house"], ["garden"], ["king"]],
    "VT": [["saw"], ["liked"], ["chased"], ["found"], ["helped"], ["followed"]],
    "VI": [["slept"], ["sang"], ["waited"], ["laughed"], ["ran"]],
    "P": [["near"], ["with"], ["behind"], ["under"]],
    "ADV": [["often"], ["never"], ["quietly"]],
}
RECURSIVE = {"NP", "PP", "CLAUSE"}
MAX_DEPTH = 5  # from this depth on, a nonterminal takes only alternatives without RECURSIVE symbols
_SHALLOW = {k: [alt for alt in v if not RECURSIVE & set(alt)] or v for k, v in GRAMMAR.items()}


def _expand(symbol: str, depth: int, rng: random.Random, out: list[str]) -> None:
    alternatives = GRAMMAR.get(symbol)
    if alternatives is None:
        out.append(symbol)
        return
    for s in rng.choice(_SHALLOW[symbol] if depth >= MAX_DEPTH else alternatives):
        _expand(s, depth + 1, rng, out)


def _sentence(rng: random.Random) -> str:
    """One sentence of the grammar: capitalised, ending with a full stop."""
    words: list[str] = []
    _expand("S", 0, rng, words)
    text = " ".join("an" if w == "a" and nxt[0] in "aeiou" else w for w, nxt in zip(words, words[1:] + [""]))
    return text[0].upper() + text[1:] + "."


def make_sentences(n_sentences: int = 5000, *, random_state: RandomState = 0) -> str:
    """``n_sentences`` sentences of the grammar, separated by single spaces (about 40 characters each).

    ``random_state`` is an int seed (default 0: every call gives the same text), an ``autograd.random.Generator``,
    or None for the shared generator. The characters are lower-case letters, the capitals that begin sentences,
    space and ``.``: about 30 in all.
    """
    if not isinstance(n_sentences, (int, np.integer)) or isinstance(n_sentences, bool) or n_sentences < 0:
        raise ValueError(f"make_sentences: n_sentences must be a non-negative int, got {n_sentences!r}")
    # Python's generator, seeded from ours: the same stream on every platform, and several times faster per draw
    rng = random.Random(int(_rng(random_state).integers(2**63)))
    return " ".join(_sentence(rng) for _ in range(n_sentences))
