"""The trace and sweep verbs: JSON shapes, text output, bad input."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import FIXTURES, REPO


def cli(*args):
    return subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=120)


def test_trace_json_shape(mod612):
    r = cli("trace", "debian-6.12", "--flags", "CLONE_THREAD", "--entry", "sys_clone", "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert set(d) == {"label", "entry", "flags", "outcome", "steps", "assumptions"}
    assert (d["label"], d["entry"], d["flags"]) == ("debian-6.12", "sys_clone", 0x10000)
    assert {k: d["outcome"][k] for k in ("result", "errno", "value", "function")} == \
        {"result": "error", "errno": "EINVAL", "value": -22, "function": "copy_process"}
    assert "CLONE_SIGHAND" in mod612.lines[d["outcome"]["line"] - 2]
    assert all(set(s) == {"function", "node_id", "line", "end_line", "event", "detail"} for s in d["steps"])


def test_trace_text_marks_the_deciding_line(mod612):
    r = cli("trace", "debian-6.12", "--flags", "0x0", "--fail", "copy_mm=ENOMEM")
    assert r.returncode == 0, r.stderr
    marked = [ln for ln in r.stdout.splitlines() if ln.startswith(">>")]
    # the goto that follows the copy_mm call in the file itself
    cp = mod612.function("copy_process")
    body = mod612.lines[cp.start_line - 1:cp.end_line]
    at = next(i for i, ln in enumerate(body) if "copy_mm(" in ln)
    goto = next(ln.strip() for ln in body[at:] if ln.strip().startswith("goto "))
    assert len(marked) == 1 and goto in marked[0]
    assert "outcome: error ENOMEM" in r.stdout


def test_trace_options(mod612):
    r = cli("trace", "debian-6.12", "--flags", "CLONE_NEWPID", "--assume", "capable=false", "--json")
    assert json.loads(r.stdout)["outcome"]["errno"] == "EPERM"
    r = cli("trace", "debian-6.12", "--flags", "0", "--entry", "sys_clone3", "--clone-arg", "exit_signal=0x100000000",
            "--json")
    assert json.loads(r.stdout)["outcome"]["function"] == "copy_clone_args_from_user"
    r = cli("trace", "debian-6.12", "--flags", "0", "--entry", "copy_process", "--config", "CONFIG_NUMA=n", "--json")
    assert not any("mpol_dup" in s["detail"] for s in json.loads(r.stdout)["steps"])


def test_trace_on_a_c_file():
    r = cli("trace", str(FIXTURES / "executor_legacy_fork.c"), "--flags", "CLONE_NEWUSER|CLONE_THREAD", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["outcome"]["errno"] == "EINVAL"


@pytest.mark.parametrize("args,word", [
    (["--flags", "CLONE_NOPE"], "CLONE_NOPE"),
    (["--flags", "CLONE_STOPPED"], "CLONE_STOPPED"),
    (["--flags", "0", "--assume", "wizard=yes"], "wizard"),
    (["--flags", "0", "--assume", "capable=maybe"], "capable"),
    (["--flags", "0", "--fail", "copy_mm=EWHAT"], "EWHAT"),
    (["--flags", "0", "--fail", "copy_mm"], "KEY=VALUE"),
    (["--flags", "0", "--entry", "sys_clone9"], "sys_clone9"),
    (["--flags", "0", "--config", "CONFIG_NUMA=maybe"], "CONFIG_NUMA"),
    (["--flags", "0", "--clone-arg", "colour=1"], "colour"),
])
def test_bad_input_is_one_line_exit_2(mod612, args, word):
    r = cli("trace", "debian-6.12", *args)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and word in lines[0] and "Traceback" not in r.stderr


def test_sweep_json_shape(mod612):
    r = cli("sweep", "debian-6.12", "--flags", "CLONE_THREAD,CLONE_SIGHAND,CLONE_VM", "--entry", "sys_clone", "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert set(d) == {"label", "entry", "flags", "results"}
    assert d["flags"] == ["CLONE_THREAD", "CLONE_SIGHAND", "CLONE_VM"]
    got = {x["flags"]: x["outcome"] for x in d["results"]}
    assert len(got) == 8
    T, S, V = 0x10000, 0x800, 0x100
    assert got[0] == "ok" and got[T | S | V] == "ok"
    assert got[T] == got[T | V] == got[S] == got[T | S] == "EINVAL"
    assert got[S | V] == got[V] == "ok"


def test_sweep_limits(mod612):
    many = ",".join(["CLONE_VM"] * 2)
    assert cli("sweep", "debian-6.12", "--flags", many).returncode == 2
    names = "CLONE_VM,CLONE_FS,CLONE_FILES,CLONE_SIGHAND,CLONE_PIDFD,CLONE_PTRACE,CLONE_VFORK,CLONE_PARENT," \
            "CLONE_THREAD,CLONE_NEWNS,CLONE_SYSVSEM,CLONE_SETTLS,CLONE_PARENT_SETTID,CLONE_CHILD_CLEARTID," \
            "CLONE_DETACHED,CLONE_UNTRACED,CLONE_CHILD_SETTID"
    r = cli("sweep", "debian-6.12", "--flags", names)
    assert r.returncode == 2 and "16" in r.stderr


def test_trace_text_says_why(mod612):
    r = cli("trace", "debian-6.12", "--flags", "CLONE_THREAD")
    assert r.returncode == 0, r.stderr
    because = [ln for ln in r.stdout.splitlines() if ln.startswith("because line ")]
    assert len(because) == 1
    no = int(because[0].split()[2].rstrip(":"))
    assert "CLONE_SIGHAND" in mod612.lines[no - 1] and because[0].endswith("-> true (1)")
    r = cli("trace", "debian-6.12", "--flags", "0")
    assert "because line" not in r.stdout
