"""Correlation (SPEC §5 step 4): things that share a strong identifier belong together.

Union–find over nodes (new alerts, stored watch alerts, open cases), each carrying the normalised
keys of ``cases.casework.identifiers``. Names are not keys, so names alone never join two
nodes. The result is a partition that does not depend on the order of the input. Pure
functions over plain data.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

Node = TypeVar("Node", bound=Hashable)


class UnionFind:
    """Disjoint sets with path halving and union by size."""

    def __init__(self) -> None:
        self._parent: dict[Hashable, Hashable] = {}
        self._size: dict[Hashable, int] = {}

    def add(self, item: Hashable) -> None:
        if item not in self._parent:
            self._parent[item] = item
            self._size[item] = 1

    def find(self, item: Hashable) -> Hashable:
        parent = self._parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: Hashable, b: Hashable) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return
        if self._size[root_a] < self._size[root_b]:
            root_a, root_b = root_b, root_a
        self._parent[root_b] = root_a
        self._size[root_a] += self._size[root_b]


def correlate(nodes: Mapping[Node, Iterable[str]]) -> list[frozenset[Node]]:
    """Partition ``nodes`` (node → its identifier keys): two nodes sharing a key, directly or
    through others, are in one group. Groups come sorted by their smallest member's ``repr``
    so that the output does not depend on the input's order."""
    sets = UnionFind()
    owner: dict[str, Node] = {}
    for node, keys in nodes.items():
        sets.add(node)
        for key in keys:
            first = owner.setdefault(key, node)
            if first != node:
                sets.union(first, node)
    groups: dict[Hashable, set[Node]] = {}
    for node in nodes:
        groups.setdefault(sets.find(node), set()).add(node)
    return sorted((frozenset(g) for g in groups.values()), key=lambda g: min(map(repr, g)))
