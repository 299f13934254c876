"""The scale answers of a response (competency self-ratings and agreement), packed into one
value of the Response row as well as kept as Answer rows.

The analysis reads a round's levels for every respondent at once: 100,000 responses of 30 scale
items are 3 million Answer rows, which no database hands over in a few seconds, but 100,000
packed values of 150 bytes it does. Each answer is 5 bytes: the item id (unsigned 32-bit, little
endian) and the value (signed 8-bit). Answer rows stay the record of what was answered; the pack
is written in the same transaction by every path that stores a response (submission, import,
demo), and a migration fills it for responses stored before it existed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from .models import ItemKind

SCALE_KINDS = (ItemKind.COMPETENCY, ItemKind.AGREEMENT)
PAIR = np.dtype([("item", "<u4"), ("value", "i1")])


def pack(pairs: Iterable[tuple[int, int]]) -> bytes:
    """(item id, value) pairs as bytes."""
    return np.array(list(pairs), dtype=PAIR).tobytes()


def unpack(packs: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The answers of many responses at once: (row, item id, value) arrays, where row is the
    position of the response's pack in `packs`."""
    sizes = np.fromiter((len(p) for p in packs), dtype=np.int64, count=len(packs))
    if sizes.size and (sizes % PAIR.itemsize).any():
        raise ValueError("A packed answer value is damaged: its length is not whole answers.")
    pairs = np.frombuffer(b"".join(packs), dtype=PAIR)
    rows = np.repeat(np.arange(len(packs)), sizes // PAIR.itemsize)
    return rows, pairs["item"].astype(np.int64), pairs["value"]


def scale_pairs(items, answers) -> list[tuple[int, int]]:
    """The (item id, value) pairs of the scale items among `items` answered in `answers`
    (item code → value)."""
    return [
        (item.pk, int(answers[item.code]))
        for item in items
        if item.kind in SCALE_KINDS and answers.get(item.code) is not None
    ]
