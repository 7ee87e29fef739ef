"""Field masks: `fields=` response selection and the `fields` update masks of batch requests.

Grammar (both `.` and `/` separate path segments, as Google accepts both):
    list := item (',' item)* ;  item := path ['(' list ')'] ;  path := name (('/' | '.') name)*
A tree is a dict name -> subtree, where None means "everything below".
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

Tree = dict[str, Any]  # values: Tree | None
T = TypeVar("T")

_NAME = re.compile(r"[A-Za-z0-9_@$*]+")


class MaskError(ValueError):
    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


def parse(mask: str, *, allow_spaces: bool = False) -> Tree | None:
    """Parse a mask into a tree. None means "everything" (`*` at the top)."""
    text = mask.replace(" ", "") if allow_spaces else mask
    pos = 0

    def parse_list() -> Tree | None:
        nonlocal pos
        tree: Tree | None = {}
        while True:
            sub = parse_item()
            tree = merge(tree, sub)
            if pos < len(text) and text[pos] == ",":
                pos += 1
                continue
            return tree

    def parse_item() -> Tree | None:
        nonlocal pos
        names: list[str] = []
        start = pos
        while True:
            m = _NAME.match(text, pos)
            if not m:
                raise MaskError(text[start:].split(",")[0] or text)
            names.append(m.group(0))
            pos = m.end()
            if pos < len(text) and text[pos] in "./":
                pos += 1
                continue
            break
        leaf: Tree | None = None
        if pos < len(text) and text[pos] == "(":
            pos += 1
            leaf = parse_list()
            if pos >= len(text) or text[pos] != ")":
                raise MaskError(text[start:])
            pos += 1
        if names == ["*"]:
            return None
        node: Tree | None = leaf
        for name in reversed(names):
            node = None if name == "*" and node is None else {name: node}
        return node

    if text.strip() == "":
        raise MaskError(mask)
    tree = parse_list()
    if pos != len(text):
        raise MaskError(text[pos:])
    return tree


def jcopy(obj: T) -> T:
    """A deep copy of JSON-shaped data (dicts, lists, scalars): much faster than deepcopy."""
    if isinstance(obj, dict):
        return {k: jcopy(v) for k, v in obj.items()}  # type: ignore[return-value]
    if isinstance(obj, list):
        return [jcopy(v) for v in obj]  # type: ignore[return-value]
    return obj


def merge(a: Tree | None, b: Tree | None) -> Tree | None:
    if a is None or b is None:
        return None
    out = dict(a)
    for key, sub in b.items():
        out[key] = merge(out[key], sub) if key in out else sub
    return out


def select(obj: Any, tree: Tree | None) -> Any:
    """Keep only what the tree selects. Present messages stay, even if they end up empty."""
    if tree is None:
        return obj
    if isinstance(obj, list):
        return [select(x, tree) for x in obj]
    if isinstance(obj, dict):
        return {k: select(v, tree[k]) for k, v in obj.items() if k in tree}
    return obj


def paths(tree: Tree | None, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Flatten a tree into leaf paths; `*` (None at top) -> [("*",)]."""
    if tree is None:
        return [prefix or ("*",)]
    out: list[tuple[str, ...]] = []
    for key, sub in tree.items():
        out.extend(paths(sub, (*prefix, key)) if sub is not None else [(*prefix, key)])
    return out


def get_path(obj: Any, path: tuple[str, ...]) -> tuple[bool, Any]:
    cur = obj
    for name in path:
        if not isinstance(cur, dict) or name not in cur:
            return False, None
        cur = cur[name]
    return True, cur


def _prune(obj: dict[str, Any], path: tuple[str, ...]) -> None:
    """Drop now-empty dicts along `path` (bottom-up), so cleared formats vanish."""
    chain = [obj]
    for name in path[:-1]:
        nxt = chain[-1].get(name)
        if not isinstance(nxt, dict):
            return
        chain.append(nxt)
    for depth in range(len(chain) - 1, 0, -1):
        if chain[depth]:
            return
        del chain[depth - 1][path[depth - 1]]


def apply_update(target: dict[str, Any], source: dict[str, Any], mask: Tree | None) -> None:
    """Update `target` from `source` for every path of the mask; absent in source = clear."""
    for path in paths(mask):
        if path == ("*",):
            target.clear()
            target.update(jcopy(source))
            continue
        found, value = get_path(source, path)
        if found:
            cur = target
            for name in path[:-1]:
                nxt = cur.get(name)
                if not isinstance(nxt, dict):
                    nxt = {}
                    cur[name] = nxt
                cur = nxt
            cur[path[-1]] = jcopy(value)
        else:
            cur2: Any = target
            for name in path[:-1]:
                cur2 = cur2.get(name) if isinstance(cur2, dict) else None
            if isinstance(cur2, dict) and path[-1] in cur2:
                del cur2[path[-1]]
                _prune(target, path)


def covers(mask: Tree | None, name: str) -> bool:
    """Does the mask touch top-level field `name`?"""
    return mask is None or name in mask
