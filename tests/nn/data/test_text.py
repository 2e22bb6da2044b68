"""nn.data.make_sentences: a deterministic text from a small grammar, for character-level language models."""

import re

import numpy as np
import pytest

import autograd
from autograd.random import Generator
from nn.data import make_sentences
from nn.data.text import GRAMMAR, MAX_DEPTH

WORDS = {w for alternatives in GRAMMAR.values() for alt in alternatives for w in alt if w not in GRAMMAR}
SENTENCE = re.compile(r"[A-Z][a-z ]*\.")


def sentences(text: str) -> list[str]:
    return re.findall(r"[^.]*\.", text)


def test_the_default_text_is_always_the_same() -> None:
    # pinned: a change of the grammar or of the random stream shows up here (and changes notebook 14's numbers)
    assert make_sentences(3) == ("The clever house often liked the king near every green child. Every house liked "
                                 "one dog that followed the bird. A child followed the green dog and an old river "
                                 "waited.")
    assert len(make_sentences()) == 267_993
    assert make_sentences() == make_sentences(5000, random_state=0)


def test_seed_generator_and_manual_seed() -> None:
    assert make_sentences(50, random_state=3) == make_sentences(50, random_state=Generator(3))
    assert make_sentences(50, random_state=3) != make_sentences(50, random_state=4)
    autograd.manual_seed(11)
    a, b = make_sentences(50, random_state=None), make_sentences(50, random_state=None)
    autograd.manual_seed(11)
    assert make_sentences(50, random_state=None) == a and a != b     # the shared generator moves on


def test_count_and_spacing() -> None:
    for n in (0, 1, 7, 400):
        text = make_sentences(n, random_state=1)
        assert len(sentences(text)) == n
        assert text == " ".join(s.strip() for s in sentences(text))   # one space between sentences, none at the ends


def test_size_a_few_hundred_kilobytes_at_most() -> None:
    text = make_sentences()
    n = len(sentences(text))
    assert n == 5000
    assert 200_000 < len(text) < 300_000           # about 54 characters a sentence
    lengths = [len(s) for s in sentences(text)]
    assert min(lengths) >= len("A cat sang.") and max(lengths) < 400  # recursion is bounded by MAX_DEPTH


def test_vocabulary_characters_and_words() -> None:
    text = make_sentences(2000, random_state=5)
    assert set(text) <= set("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ.")
    assert len(set(text)) < 32                      # small enough for a one-byte vocabulary, tiny models
    words = re.findall(r"[a-z]+", text.lower())
    assert set(words) == WORDS | {"an"}             # every word of the grammar occurs, and no other
    assert len(WORDS) == 39


def test_sentences_are_well_formed() -> None:
    for s in sentences(make_sentences(1000, random_state=2)):
        s = s.strip()
        assert SENTENCE.fullmatch(s), s
        assert "  " not in s
        words = s[:-1].lower().split()
        for w, nxt in zip(words, words[1:]):
            if w in ("a", "an"):
                assert (w == "an") == (nxt[0] in "aeiou"), s   # "an old", "a cat"
        assert words[0] in {"the", "a", "an", "every", "one"}    # a clause starts with its noun phrase
        assert s.count(" and ") <= 1


def test_depth_cap_keeps_the_grammar_finite() -> None:
    assert MAX_DEPTH >= 3
    # the phrases that may recurse have an alternative without recursion, which the depth cap falls back to
    for name in ("NP", "VP"):
        assert any(not {"NP", "PP", "CLAUSE"} & set(alt) for alt in GRAMMAR[name]), name


@pytest.mark.parametrize("bad", [-1, 2.5, "10", True])
def test_bad_count_is_a_value_error(bad) -> None:
    with pytest.raises(ValueError, match="make_sentences: n_sentences"):
        make_sentences(bad)


def test_numpy_int_count() -> None:
    assert make_sentences(np.int64(3)) == make_sentences(3)
