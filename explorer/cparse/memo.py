"""Caches of things computed from a Module, kept exactly as long as the Module.

An lru_cache keyed on a Module holds the Module (source, tree, indexes) alive
until it falls out of the cache; these are keyed weakly, so a Module nobody
uses any more takes its cached results with it."""
from __future__ import annotations

import functools
import weakref


def per_module(fn):
    """Memoise fn(module, *args) for the life of `module` (args must be hashable)."""
    store: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()

    @functools.wraps(fn)
    def cached(module, *args):
        per = store.get(module)
        if per is None:
            per = store[module] = {}
        hit = per.get(args)
        if hit is None:
            hit = per[args] = fn(module, *args)
        return hit
    cached.cache_clear = store.clear
    return cached
