"""How clean a parse is: the figures behind `parse-check`."""
from __future__ import annotations

from .module import SYSCALL_ENTRIES, Module, error_lines, parse_raw

COPY_HELPERS = ("dup_task_struct", "copy_files", "copy_fs", "copy_sighand", "copy_signal", "copy_mm",
                "copy_io", "copy_semundo", "copy_flags", "copy_seccomp", "copy_oom_score_adj")


def key_function_names(mod: Module) -> list[str]:
    names = [mod.form] if mod.form in mod.functions else []
    names += [n for n in ("copy_process",) + COPY_HELPERS + SYSCALL_ENTRIES if n in mod.functions]
    return list(dict.fromkeys(names))


def parse_report(mod: Module) -> dict:
    keys = {n: mod.functions[n].errors for n in key_function_names(mod)}
    return {
        "label": mod.label,
        "form": mod.form,
        "lines": mod.line_count,
        "error_lines": len(error_lines(mod.tree.root_node)),
        "raw_error_lines": len(error_lines(parse_raw(mod.source).root_node)),
        "key_functions": keys,
        "ok": mod.form != "unknown" and "copy_process" in keys and not any(keys.values()),
    }
