"""verify: compare the executor with the Debian kernel built from the same package."""
from __future__ import annotations

import sys

from tqdm import tqdm

from ..errors import VerifyError
from ..verify import DEFAULT_FLAGS, MODES, verify
from . import emit


def register(sub) -> None:
    p = sub.add_parser("verify", help="boot the version's own Debian kernel under QEMU and compare clone() answers")
    p.add_argument("label", help="a version fetched from a Debian linux-source package (debian-6.12)")
    p.add_argument("--modes", default=",".join(MODES), metavar="M,M",
                   help=f"which of {', '.join(MODES)} (default: all three)")
    p.add_argument("--flags", default=None, metavar="NAME,NAME,...",
                   help=f"flags to sweep, at most 16 (default: the twelve of the oracle: {', '.join(DEFAULT_FLAGS)})")
    p.add_argument("--accel", choices=("auto", "kvm", "tcg"), default="auto",
                   help="auto: KVM when it answers, else TCG")
    p.add_argument("--timeout", type=float, default=900.0, help="seconds for the whole boot (default 900)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_verify)


def cmd_verify(args) -> int:
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    flags = [f.strip() for f in args.flags.split(",") if f.strip()] if args.flags else None
    if args.timeout <= 0:
        raise VerifyError("--timeout must be positive")
    total = len(modes) * (1 << len(flags or DEFAULT_FLAGS))
    with tqdm(total=total, desc="clone calls answered", unit="call", leave=False,
              disable=not sys.stderr.isatty(), file=sys.stderr) as b:
        result = verify(args.label, modes, flags, accel=args.accel, timeout=args.timeout,
                        log=lambda msg: None if args.json else print(msg), progress=b.update)
    emit(result, args.json, _text)
    return 0 if all(not m["disagree"] for m in result["modes"].values()) else 1


def _text(r: dict) -> str:
    k = r["kernel"]
    out = [f"{r['label']}: {k['package']} {k['version']} (uname {k['uname']}), {r['accel']}, {r['seconds']} s"]
    if k.get("note"):
        out.append(f"  {k['note']}")
    for mode, m in r["modes"].items():
        out.append(f"  {mode:<7} {m['agree']}/{m['total']} agree")
        for d in m["disagree"][:20]:
            out.append(f"    {d['names']}: kernel {d['kernel']}, executor {d['executor']} "
                       f"({d['function']} line {d['line']})")
    return "\n".join(out)
