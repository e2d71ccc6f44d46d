"""The foundation's verbs on Debian's real files: functions, show, parse-check."""
from __future__ import annotations

import json
import subprocess
import sys

from explorer.cli import main


def run(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_functions_json_lists_real_lines(modern, capsys):
    rc, out, _ = run(capsys, "functions", modern.label, "--json")
    doc = json.loads(out)
    assert rc == 0 and doc["label"] == modern.label
    fns = {f["name"]: f for f in doc["functions"]}
    for name in ("kernel_clone", "copy_process", "sys_clone3"):
        f = fns[name]
        assert set(f) == {"name", "kind", "start_line", "end_line", "errors"}
        assert f["errors"] == 0
    head = modern.lines[fns["kernel_clone"]["start_line"] - 1]
    assert head.startswith("pid_t kernel_clone(struct kernel_clone_args *args)")
    assert fns["sys_fork"]["kind"] == "syscall"
    assert modern.lines[fns["sys_fork"]["start_line"] - 1] == "SYSCALL_DEFINE0(fork)"


def test_show_prints_the_function_with_its_file_line_numbers(mod612, capsys):
    rc, out, _ = run(capsys, "show", mod612.label, "kernel_clone", "--color", "never")
    assert rc == 0
    fn = mod612.function("kernel_clone")
    lines = out.rstrip("\n").split("\n")
    assert len(lines) == fn.end_line - fn.start_line + 1
    for ln in lines:
        num, _, text = ln.strip(" ").partition("  ")
        assert mod612.lines[int(num) - 1] == text


def test_show_colours_on_request(mod612, capsys):
    rc, out, _ = run(capsys, "show", mod612.label, "sys_fork", "--color", "always")
    assert rc == 0 and "\x1b[" in out


def test_parse_check_reports_both_figures(mod61, mod612, capsys):
    rc, out, _ = run(capsys, "parse-check", mod61.label, mod612.label, "--json")
    doc = json.loads(out)
    assert rc == 0
    for v in doc["versions"]:
        assert v["ok"] and v["error_lines"] == 0 and v["raw_error_lines"] > 40
        assert set(v) >= {"label", "lines", "error_lines", "raw_error_lines", "key_functions", "ok"}
        assert v["key_functions"]["copy_process"] == 0 and "sys_clone3" in v["key_functions"]


def test_module_entry_point_and_one_line_errors():
    r = subprocess.run([sys.executable, "-m", "explorer", "show", "debian-6.12", "no_such_function"],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "no function 'no_such_function'" in r.stderr
    r = subprocess.run([sys.executable, "-m", "explorer", "functions"], capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_usage_errors_carry_one_prefix_and_name_the_verbs(capsys):
    assert main(["no-such-verb"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.count("fork-explorer:") == 1, err
    assert "unknown verb 'no-such-verb'" in err
    assert all(v in err for v in ("sources", "trace", "sweep", "diff", "history", "notes", "serve"))
    assert main(["trace", "--no-such-option"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fork-explorer: trace: ") and err.count("fork-explorer") == 1, err
