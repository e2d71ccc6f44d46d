"""Time of `fork-explorer verify` per Debian kernel: boot, and each mode's
4096 clone()/clone3() calls inside the VM, under TCG and (where it answers)
KVM.  The baseline measured in the same run is the host kernel answering the
same 4096 words through the same probe (natively, no VM), so the ratio says
what emulation costs.

    .venv/bin/python benchmarks/bench_verify.py [--labels debian-6.1 debian-6.12] [--accel tcg kvm]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from explorer import load  # noqa: E402
from explorer.errors import VerifyError  # noqa: E402
from explorer.executor import World, sweep  # noqa: E402
from explorer.verify import DEFAULT_FLAGS, verify  # noqa: E402
from explorer.verify.boot import PROBE_SOURCE, kvm_usable  # noqa: E402


def host_baseline(label: str) -> float:
    """Seconds for the running kernel to answer the 4096 words (root, clone) natively."""
    words = [r["flags"] for r in sweep(load(label), DEFAULT_FLAGS, "sys_clone", World())["results"]]
    with tempfile.TemporaryDirectory() as tmp:
        exe = Path(tmp) / "probe"
        subprocess.run(["gcc", "-O2", "-o", str(exe), str(PROBE_SOURCE)], check=True)
        t = time.perf_counter()
        subprocess.run([str(exe), "clone"], input="".join(f"{w:#x}\n" for w in words), text=True,
                       capture_output=True, check=True)
        return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--labels", nargs="+", default=["debian-6.1", "debian-6.12"])
    ap.add_argument("--accel", nargs="+", default=["tcg", "kvm"])
    args = ap.parse_args()
    base = host_baseline(args.labels[0])
    print(f"baseline: host kernel, 4096 raw clone() natively through the probe: {base:.2f} s")
    print(f"{'label':<12} {'accel':<5} {'total s':>8} {'boot s':>7} {'root s':>7} {'nobody s':>9} "
          f"{'clone3 s':>9} {'root/host':>9}  agree")
    for label in args.labels:
        for accel in args.accel:
            if accel == "kvm" and not kvm_usable():
                print(f"{label:<12} kvm   (no usable /dev/kvm)")
                continue
            try:
                r = verify(label, accel=accel, timeout=600 if accel == "tcg" else 120)
            except VerifyError as e:
                print(f"{label:<12} {accel:<5} failed: {e}")
                continue
            m = r["modes"]
            agree = " ".join(f"{k} {v['agree']}/{v['total']}" for k, v in m.items())
            print(f"{label:<12} {r['accel']:<5} {r['seconds']:>8.1f} {r['boot_seconds']:>7.1f} "
                  f"{m['root']['seconds']:>7.1f} {m['nobody']['seconds']:>9.1f} {m['clone3']['seconds']:>9.1f} "
                  f"{m['root']['seconds'] / base:>8.1f}x  {agree}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
