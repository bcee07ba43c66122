"""What is worked out once for a parsed document, kept for as long as the document is.

The schema's parser cache answers the same text with the same parsed document, so whatever
depends on the document alone (its validation, its cost, the plans of its selections) holds
for every later request that brings the same text. Each is kept beside the document, by its
id, and goes when the document does: the parser's cache bounds how much is kept.
"""

from __future__ import annotations

import weakref
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class KeptWith(Generic[K, V]):
    """Values kept per parsed node (a document or one of its operations) while it lives."""

    def __init__(self) -> None:
        self._by_node: dict[int, dict[K, V]] = {}

    def of(self, node: object) -> dict[K, V]:
        """The values kept for `node`: a dict to read and to fill."""
        key = id(node)
        kept = self._by_node.get(key)
        if kept is None:
            kept = self._by_node[key] = {}
            weakref.finalize(node, self._by_node.pop, key, None)
        return kept

    def __len__(self) -> int:
        """How many values are kept, for all nodes."""
        return sum(map(len, self._by_node.values()))
