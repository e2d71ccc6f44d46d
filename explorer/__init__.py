"""fork-explorer: a reading room for Linux kernel/fork.c across versions."""
from .cparse import Module, load, parse_source
from .errors import ExplorerError
from .pairing import pair

__all__ = ["load", "parse_source", "Module", "ExplorerError", "pair"]
__version__ = "0.1.0"
