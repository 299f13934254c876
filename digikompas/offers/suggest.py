"""Suggested competencies for an education offer, from the Danish text of the offer.

The offer's title and description are matched against each competency's title, keywords and
description with Okapi BM25 over Snowball-stemmed Danish words. The result is a ranked list of
suggestions, each with the words of the offer that matched, so that whoever edits the offer sees
*why* a competency is suggested and decides for themselves: these are suggestions, never links.

Everything down to `suggest` is pure Python on plain data, so it can be tested and measured
without a database; only `index_for_framework` and `suggest_for_offer` read the ORM.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import snowballstemmer

if TYPE_CHECKING:
    from digikompas.frameworks.models import Framework
    from digikompas.offers.models import EducationOffer

# Function words that say nothing about a competency. Kept short and explicit on purpose: a
# long list downloaded from elsewhere would silently drop words such as "mål" or "brug" that do
# carry meaning in this domain.
STOP_WORDS = frozenset(
    {
        # Words of one or two letters ("af", "at", "og", "på", …) go by their length already.
        "alle", "andre", "blev", "dem", "den", "denne", "der", "det", "dette", "din", "efter",
        "eller", "end", "for", "fra", "før", "han", "har", "hun", "hvad", "hver", "hvis", "hvor",
        "hvordan", "ikke", "ind", "jeg", "kan", "man", "med", "men", "mod", "mig", "min", "når",
        "over", "sig", "sin", "skal", "som", "til", "under", "ved", "vil", "være",
    }
)  # fmt: skip

# Words shorter than this are mostly abbreviations and fragments ("it", "e" of "e-bøger") that
# match too much by chance.
MIN_WORD_LENGTH = 3

# Field weights: a word in a competency's title says more about it than a keyword, and a keyword
# more than a word somewhere in the description. The weights multiply the term frequency and the
# length of each field before BM25's saturation (the "BM25F" simplification), which gives the
# same result as repeating the title three times and the keywords twice, without the copies.
FIELD_WEIGHTS = {"title": 3.0, "keywords": 2.0, "description": 1.0}

# Okapi BM25's usual parameters: k1 is how fast repeated words saturate, b how much a long
# document is penalised.
K1 = 1.2
B = 0.75

_WORD = re.compile(r"[^\W\d_]+")  # runs of letters, æ, ø and å included; digits and _ split
_stemmer = snowballstemmer.stemmer("danish")


@dataclass(frozen=True)
class Document:
    """One competency as text: what the index ranks."""

    key: str
    title: str
    keywords: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Suggestion:
    """A competency suggested for a text, its BM25 score, and the words of the text that matched
    (as written in the text, in the order they first appear)."""

    competency_key: str
    score: float
    matched_words: tuple[str, ...]


def words(text: str) -> list[str]:
    """The words of a text, lower case, without stop words and very short words."""
    return [
        word
        for word in _WORD.findall(text.lower())
        if len(word) >= MIN_WORD_LENGTH and word not in STOP_WORDS
    ]


def stem(word: str) -> str:
    """The Danish Snowball stem of a lower-case word: "formidlingen" and "formidling" share one."""
    return _stemmer.stemWord(word)


def tokenize(text: str) -> list[str]:
    """The stems of the words of a text, in order."""
    return [stem(word) for word in words(text)]


@dataclass
class Index:
    """An Okapi BM25 index over documents with weighted fields. Build it with `build_index`."""

    # Per document: weighted term frequency of each stem, and the weighted length.
    term_frequencies: dict[str, dict[str, float]] = field(default_factory=dict)
    lengths: dict[str, float] = field(default_factory=dict)
    # Per stem: its inverse document frequency.
    idf: dict[str, float] = field(default_factory=dict)
    average_length: float = 0.0


def build_index(documents: list[Document]) -> Index:
    """A BM25 index over the documents; their keys must be distinct."""
    index = Index()
    document_frequency: Counter[str] = Counter()
    for document in documents:
        if document.key in index.term_frequencies:
            raise ValueError(f"Two documents have the key {document.key!r}.")
        fields = {
            "title": tokenize(document.title),
            "keywords": tokenize(" ".join(document.keywords)),
            "description": tokenize(document.description),
        }
        frequencies: Counter[str] = Counter()
        for name, stems in fields.items():
            for term in stems:
                frequencies[term] += FIELD_WEIGHTS[name]
        index.term_frequencies[document.key] = dict(frequencies)
        index.lengths[document.key] = sum(
            FIELD_WEIGHTS[name] * len(stems) for name, stems in fields.items()
        )
        document_frequency.update(frequencies.keys())
    count = len(documents)
    # The "+ 1" form of the idf stays positive for a word found in most documents, so a common
    # word adds a little instead of pulling a score below zero.
    index.idf = {
        term: math.log(1 + (count - n + 0.5) / (n + 0.5)) for term, n in document_frequency.items()
    }
    index.average_length = sum(index.lengths.values()) / count if count else 0.0
    return index


# The shortest part a compound is split into: shorter heads and tails ("rne", "dan") would match
# inside unrelated words.
MIN_PART_LENGTH = 4


def stems_of(word: str, index: Index) -> list[str]:
    """The stems a word of a text is looked up by: its own stem, or, for a compound the index
    does not know, the known stems of its parts.

    Danish writes compounds as one word ("kulturformidling", "biblioteksassistentuddannelsen"),
    and a stemmer only trims endings, so without this an offer about "kulturformidling" would
    never meet a competency about "formidling". The split is checked against the index's own
    vocabulary, so no dictionary is needed. Both parts must be known (the head with or without
    the linking "s" or "e": "biblioteks-", "børne-"): a known tail alone matched by chance, e.g.
    "dannelse" inside "uddannelse". Of several splits, the longest tail wins, as the last part
    carries the meaning of a Danish compound."""
    own = stem(word)
    if own in index.idf:
        return [own]
    for split in range(MIN_PART_LENGTH, len(word) - MIN_PART_LENGTH + 1):
        tail = stem(word[split:])
        if tail not in index.idf:
            continue
        head = word[:split]
        for candidate in (head, head[:-1] if head[-1] in "se" else ""):
            if len(candidate) >= MIN_PART_LENGTH and stem(candidate) in index.idf:
                return [stem(candidate), tail]
    return [own]


def suggest(text: str, index: Index, top: int = 5) -> list[Suggestion]:
    """The `top` documents of the index that best match the text, best first.

    A document no word of the text matches is never suggested. Equal scores keep the index's
    order, so the result does not depend on chance."""
    originals: dict[str, list[str]] = {}
    for word in words(text):
        for term in stems_of(word, index):
            seen = originals.setdefault(term, [])
            if word not in seen:
                seen.append(word)
    # Each stem of the text counts once: offer texts are short, and a word repeated in a title
    # and its description is not twice the evidence.
    query = [term for term in originals if term in index.idf]
    suggestions = []
    for key, frequencies in index.term_frequencies.items():
        score = 0.0
        matched: list[str] = []
        norm = K1 * (1 - B + B * index.lengths[key] / (index.average_length or 1.0))
        for term in query:
            tf = frequencies.get(term)
            if tf:
                score += index.idf[term] * tf * (K1 + 1) / (tf + norm)
                matched.extend(originals[term])
        if score > 0:
            suggestions.append(Suggestion(key, score, tuple(matched)))
    # sorted() is stable: ties stay in the index's (framework's) order.
    return sorted(suggestions, key=lambda s: -s.score)[:top]


# -- the Django side ----------------------------------------------------------------------------


def index_for_framework(framework: Framework) -> Index:
    """A BM25 index over a framework's competencies in Danish, keyed by competency code."""
    return build_index(
        [
            Document(
                key=competency.code,
                title=competency.title_da,
                keywords=tuple(competency.keywords_da or ()),
                description=competency.description_da,
            )
            for competency in framework.competencies.order_by("domain__position", "position")
        ]
    )


def suggest_for_offer(
    offer: EducationOffer, framework: Framework, top: int = 5
) -> list[Suggestion]:
    """Competencies of the framework suggested for an offer from its Danish title and description;
    the keys are competency codes."""
    text = f"{offer.title_da}\n{offer.description_da}"
    return suggest(text, index_for_framework(framework), top=top)
