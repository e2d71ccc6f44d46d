"""The options of a run shared by trace, sweep and their --compare forms:
--assume/--fail/--clone-arg make the World, --config the kernel config."""
from __future__ import annotations

import re

from ..cparse.config import DEFAULT_CONFIG
from ..errors import ExecutionError, LookupFailure
from ..i18n import Message
from ..executor import World


def _pairs(items: list[str], what: str) -> list[tuple[str, str]]:
    out = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ExecutionError("{what} takes KEY=VALUE, not {item!r}", what=what, item=item)
        out.append((key.strip(), value.strip()))
    return out


def build_world(args) -> World:
    world = World()
    for key, value in _pairs(args.assume, "--assume"):
        world.assume(key, value)
    for callee, errno in _pairs(args.fail, "--fail"):
        world.fail(callee, errno)
    for name, value in _pairs(args.clone_arg, "--clone-arg"):
        world.set_clone_arg(name, value)
    return world


def build_config(items: list[str], module=None) -> dict[str, bool]:
    config = dict(DEFAULT_CONFIG)
    for name, value in _pairs(items, "--config"):
        if not re.fullmatch(r"[A-Z_][A-Z0-9_]*", name):
            raise ExecutionError("bad config option name {name!r}", name=name)
        # An option the file never tests changes nothing: most likely a typo.
        if module is not None and name not in DEFAULT_CONFIG and \
                not re.search(rb"\b" + name.encode() + rb"\b", module.source):
            raise LookupFailure("{label} never tests {name}; "
                                "--config names an option the file uses (CONFIG_NUMA=n)",
                                label=module.label or Message("the source"), name=name)
        v = value.lower()
        if v not in ("y", "n", "yes", "no", "1", "0", "true", "false", "m"):
            raise ExecutionError("{name} takes y or n, not {value!r}", name=name, value=value)
        config[name] = v in ("y", "yes", "1", "true")
    return config
