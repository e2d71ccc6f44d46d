"""Bounded fuzz run of the normaliser, the parser, #if evaluation and the executor.

    .venv/bin/python benchmarks/bench_fuzz.py                 # atheris if importable, else Hypothesis
    .venv/bin/python benchmarks/bench_fuzz.py --engine hypothesis --runs 2000
    .venv/bin/python benchmarks/bench_fuzz.py --engine atheris --runs 20000

atheris (coverage-guided libFuzzer) is not a project dependency; install it
with `.venv/bin/pip install atheris` to use it.  Without it the same targets
run from a Hypothesis-driven loop.

Every input goes to one of three targets, chosen by its first byte:
  parse  - the bytes as a C file (explorer.parse_source: normaliser + tree-sitter)
  exec   - the bytes as statements inside a fork entry, parsed, then run by the
           executor with clone flags from the input and a 2,000-step budget
  ifexpr - the bytes as an #if condition (explorer.cparse.config.eval_condition)
Anything but an ExplorerError, a step budget overrun, or an input slower than
the hang guard is a finding: the run stops and prints it.

Printed: inputs per target, typed refusals, executor outcomes, the slowest
input, executions per second, and the same run's baseline (parsing our own
12-line fixture) with the ratio.
"""
from __future__ import annotations

import argparse
import atexit
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

BUDGET = 2000
HANG_GUARD = 10.0
FIXTURE = REPO / "tests" / "fixtures" / "robustness_store.c"

COUNTS: Counter = Counter()
SLOWEST = [0.0, b""]


def wrap(stmts: bytes) -> bytes:
    return (b"long kernel_clone(struct kernel_clone_args *args)\n{\n\tu64 clone_flags = args->flags;\n"
            b"\tlong nr = 0;\n\tint err = 0;\n" + stmts + b"\n\treturn nr;\nout:\n\treturn err;\n}\n")


def one_input(data: bytes) -> None:
    """The fuzz target: raises AssertionError (or the unexpected exception) on a finding."""
    import explorer
    from explorer.cparse.config import eval_condition
    from explorer.errors import ExplorerError
    from explorer.executor import World, run

    if not data:
        return
    target = ("parse", "exec", "ifexpr")[data[0] % 3]
    body = data[1:]
    COUNTS[f"inputs {target}"] += 1
    t0 = time.perf_counter()
    try:
        if target == "parse":
            mod = explorer.parse_source(body, label="fuzz")
            assert len(mod.text) == len(mod.source), "normaliser changed the length"
        elif target == "exec":
            flags = int.from_bytes(body[:8].ljust(8, b"\0"), "little")
            mod = explorer.parse_source(wrap(body[8:]), label="fuzz")
            trace = run(mod, flags, None, World(), None, budget=BUDGET)
            assert trace.step_count <= BUDGET + 1, "step budget overrun"
            COUNTS[f"outcome {trace.outcome.result}"] += 1
            if trace.outcome.reason and "internal error" in trace.outcome.reason:
                COUNTS["executor internal errors (caught by its safety net)"] += 1
                print("internal error:", trace.outcome.reason, repr(body[:200]), file=sys.stderr)
        else:
            value = eval_condition(body.decode("utf-8", "replace"))
            assert value in (True, False, None)
    except ExplorerError as e:
        COUNTS[f"typed refusal {type(e).__name__}"] += 1
    finally:
        dt = time.perf_counter() - t0
        if dt > SLOWEST[0]:
            SLOWEST[0], SLOWEST[1] = dt, data[:80]
        assert dt < HANG_GUARD, f"{target} took {dt:.1f}s on {data[:120]!r}"


def baseline(seconds: float = 2.0) -> float:
    """Parses per second of our own small fixture, measured now on this machine."""
    import explorer
    src = FIXTURE.read_bytes()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        explorer.parse_source(src, label="baseline")
        n += 1
    return n / (time.perf_counter() - t0)


def report(engine: str, started: float, base: float) -> None:
    elapsed = time.perf_counter() - started
    total = sum(v for k, v in COUNTS.items() if k.startswith("inputs "))
    print(f"\nengine: {engine}")
    for k, v in sorted(COUNTS.items()):
        print(f"  {k:<55} {v:>8}")
    print(f"  {'inputs total':<55} {total:>8}")
    print(f"  slowest input: {SLOWEST[0] * 1000:.1f} ms ({SLOWEST[1][:40]!r}...)")
    rate = total / elapsed if elapsed else 0.0
    print(f"  {rate:.0f} inputs/s over {elapsed:.1f}s; baseline {base:.0f} fixture parses/s; "
          f"ratio {rate / base:.2f}" if base else "")
    print("  findings: none (every input ended in a result or a typed error within its budget)")


def run_atheris(runs: int, seconds: int, base: float) -> None:
    import os
    import tempfile

    import atheris
    with atheris.instrument_imports():
        import explorer  # noqa: F401
        import explorer.cparse  # noqa: F401
        import explorer.executor  # noqa: F401
    started = time.perf_counter()
    seeds = Path(tempfile.mkdtemp(prefix="fx-fuzz-corpus-"))   # libFuzzer adds to it; keep it out of the repo
    for i, p in enumerate(sorted((REPO / "tests" / "fixtures").glob("*.c"))):
        (seeds / f"seed{i}").write_bytes(bytes([i % 3]) + p.read_bytes())

    def target(data: bytes) -> None:
        one_input(data)
        total = sum(v for k, v in COUNTS.items() if k.startswith("inputs "))
        if total >= runs or time.perf_counter() - started > seconds:
            report("atheris (libFuzzer, coverage-guided)", started, base)
            sys.stdout.flush()
            os._exit(0)          # libFuzzer would exit without running our report

    args = [sys.argv[0], f"-runs={runs * 10}", "-rss_limit_mb=4096", "-max_len=4096", str(seeds)]
    atheris.Setup(args, target)
    atheris.Fuzz()


def run_hypothesis(runs: int, seconds: int, base: float) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    sys.path.insert(0, str(REPO / "tests"))
    from test_robustness_fuzz import C_SOUP, stmt

    inputs = st.one_of(
        st.tuples(st.just(0), C_SOUP.map(str.encode)),
        st.tuples(st.just(1), st.tuples(st.integers(0, 2**64 - 1),
                                        st.lists(stmt, min_size=1, max_size=5)).map(
            lambda t: t[0].to_bytes(8, "little") + "\n".join(t[1]).encode())),
        st.tuples(st.just(2), st.text(max_size=60).map(str.encode)),
        st.tuples(st.integers(0, 2), st.binary(max_size=600)),
    ).map(lambda t: bytes([t[0]]) + t[1])
    started = time.perf_counter()

    @settings(max_examples=runs, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(inputs)
    def loop(data):
        if time.perf_counter() - started < seconds:
            one_input(data)

    loop()
    report("hypothesis (generated C grammar, token soup, raw bytes)", started, base)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engine", choices=["auto", "atheris", "hypothesis"], default="auto")
    ap.add_argument("--runs", type=int, default=5000)
    ap.add_argument("--seconds", type=int, default=120, help="stop after this long (bounded run)")
    args = ap.parse_args()
    engine = args.engine
    if engine == "auto":
        try:
            import atheris  # noqa: F401
            engine = "atheris"
        except ImportError:
            print("atheris is not installed (.venv/bin/pip install atheris); using Hypothesis")
            engine = "hypothesis"
    base = baseline()
    if engine == "atheris":
        run_atheris(args.runs, args.seconds, base)
    else:
        run_hypothesis(args.runs, args.seconds, base)


if __name__ == "__main__":
    main()
