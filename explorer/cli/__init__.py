"""The `fork-explorer` command line.

Each concept registers its verbs from its own module (cmd_*.py), so adding a
verb never touches another's code.  Every reporting verb takes --json and
prints one JSON document; exit 0 ok, 1 a check failed, 2 bad input with one
line on stderr and no traceback.
"""
from __future__ import annotations

import argparse
import importlib
import json
import re
import sys

from .. import sources
from ..errors import ExplorerError, SourceError

# Verb modules, in the order their verbs appear in --help.
COMMAND_MODULES = ["cmd_sources", "cmd_parse", "cmd_trace", "cmd_diff", "cmd_pair", "cmd_annotations",
                   "cmd_notes", "cmd_translate", "cmd_app", "cmd_hub", "cmd_verify", "cmd_rules",
                   "cmd_tours"]


class UsageError(ExplorerError):
    """Bad command-line words."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        """One line, exit 2, no usage dump.  main() adds the 'fork-explorer: '
        prefix, so only a sub-verb's own name ('trace: ...') is kept here."""
        verb = self.prog.removeprefix("fork-explorer").strip()
        bad = re.match(r"argument VERB: invalid choice: '([^']*)'", message)
        if bad:
            verbs = ", ".join(self._subparsers._group_actions[0].choices)
            message = f"unknown verb {bad.group(1)!r}; verbs: {verbs}"
        raise UsageError(f"{verb}: {message}" if verb else message)


def emit(obj, as_json: bool, text=None) -> None:
    """Print obj as one JSON document, or through text(obj) for people."""
    if as_json:
        json.dump(obj, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif text is not None:
        out = text(obj)
        if out:
            print(out)
    else:
        print(json.dumps(obj, ensure_ascii=False, indent=2))


def version_labels(words: list[str] | None) -> list[str]:
    """The versions a multi-version verb works on: those named (in release
    order), else every fetched one; none at all is bad input, not an empty 'ok'."""
    labels = sources.sort_labels(words) if words else sources.available()
    if not labels:
        raise SourceError("no version is fetched yet; run 'fork-explorer sources sync'")
    return labels


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="fork-explorer", description="A reading room for Linux kernel/fork.c")
    sub = parser.add_subparsers(dest="command", metavar="VERB", parser_class=_Parser)
    for name in COMMAND_MODULES:   # a missing or broken verb module fails loudly
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        rc = args.func(args)
        return 0 if rc is None else int(rc)
    except ExplorerError as e:
        msg = str(e).replace("\n", " ")
        print(f"fork-explorer: {msg}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("fork-explorer: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
