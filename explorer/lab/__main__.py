"""`python -m explorer.lab [DIR] [jupyter lab options]`: JupyterLab on the tour
notebooks with the project's settings (`./dev.sh explore --lab` runs this).

The settings folder is added to JUPYTER_CONFIG_PATH, so the reader's own
~/.jupyter still applies.  As root (a container) Jupyter refuses to start
without --allow-root; it is passed only then."""
from __future__ import annotations

import os
import sys

from . import CONFIG_DIR


def lab_env(base: dict | None = None) -> dict:
    env = dict(os.environ if base is None else base)
    rest = env.get("JUPYTER_CONFIG_PATH")
    env["JUPYTER_CONFIG_PATH"] = str(CONFIG_DIR) + (os.pathsep + rest if rest else "")
    return env


def lab_argv(args: list[str]) -> list[str]:
    argv = [sys.executable, "-m", "jupyterlab", *args]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in args:
        argv.append("--allow-root")
    return argv


def main(args: list[str] | None = None) -> None:
    argv = lab_argv(sys.argv[1:] if args is None else args)
    os.execve(argv[0], argv, lab_env())


if __name__ == "__main__":
    main()
