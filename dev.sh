#!/usr/bin/env bash
# fork-explorer's two commands:
#   ./dev.sh explore   set everything up and open the explorer (Voila app; JupyterLab with --lab)
#   ./dev.sh test      set everything up and run the whole test suite
# Both are safe to rerun: the venv (.venv/), the fetched kernel sources
# (kernel-src/cache/) and Debian packages are installed once and reused.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
VENV="$ROOT/.venv"
PY=${PYTHON:-python3}
APT_PACKAGES_TEST=(gettext chromium fonts-noto-cjk gcc libc6-dev git qemu-system-x86 cpio)
APT_PACKAGES_EXPLORE=()

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }

apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
      log "cannot install ${missing[*]} without root; the tests that need them will say so and skip"
      return 0
    fi
  fi
  log "apt: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

python_env() {
  if ! "$PY" -c "import venv, ensurepip" >/dev/null 2>&1; then
    apt_install python3-venv   # Debian splits venv/ensurepip out of python3
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV"
    "$PY" -m venv "$VENV"
  fi
  local stamp="$VENV/.installed-$(cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)"
  if [ ! -f "$stamp" ]; then
    # constraints.txt pins the set the suite last passed with, so two fresh
    # machines install the same versions; './dev.sh lock' refreshes it.
    log "pip install -e .[test] (pinned by constraints.txt)"
    "$VENV/bin/pip" install -q --upgrade pip >/dev/null
    "$VENV/bin/pip" install -q -c constraints.txt -e ".[test]"
    rm -f "$VENV"/.installed-*
    touch "$stamp"
  fi
}

kernel_sources() {
  # Debian's linux-source packages through apt-get download (no root needed), cached.
  # debian-5.10 comes from Debian 11's security archive through a private apt sources list.
  log "kernel sources: debian-5.10 debian-6.1 debian-6.12 (cached under ${FORK_EXPLORER_HOME:-kernel-src/cache})"
  "$VENV/bin/fork-explorer" sources sync debian-5.10 debian-6.1 debian-6.12 || \
    log "could not fetch every Debian kernel source; tests that need them will skip"
}

old_sources() {
  # The do_fork and _do_fork forms are upstream tags only (git or https); never fatal.
  if timeout 90 "$VENV/bin/fork-explorer" sources sync v2.6.32 v4.19 >/dev/null 2>&1; then
    log "kernel sources: v2.6.32 v4.19 fetched"
  else
    log "old versions (v2.6.32, v4.19) not reachable; add one with: .venv/bin/fork-explorer sources add v2.6.32 path/to/kernel/fork.c"
  fi
}

hub_proxy() {
  # configurable-http-proxy for `fork-explorer hub`, pinned by deploy/package-lock.json,
  # into the ignored .hub/ (Node 20+ and npm; never fatal: the hub tests say what is missing).
  local stamp=".hub/.installed-$(cat deploy/package.json deploy/package-lock.json | sha1sum | cut -c1-12)"
  [ -f "$stamp" ] && [ -x .hub/node_modules/.bin/configurable-http-proxy ] && return 0
  local major
  major=$(node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/')
  if ! command -v npm >/dev/null || [ "${major:-0}" -lt 20 ]; then
    log "'fork-explorer hub' needs configurable-http-proxy, which needs Node 20+ and npm (nodejs.org or NodeSource)"
    return 0
  fi
  log "npm ci configurable-http-proxy into .hub/"
  mkdir -p .hub && cp deploy/package.json deploy/package-lock.json .hub/
  if (cd .hub && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
    rm -f .hub/.installed-*; touch "$stamp"
  else
    log "could not install configurable-http-proxy; the hub tests will say so"
  fi
}

cmd="${1:-}"
shift || true
case "$cmd" in
  test)
    apt_install "${APT_PACKAGES_TEST[@]}"
    python_env
    hub_proxy
    kernel_sources
    # One worker per core.  Measured on the 2-core machine: with every cache warm,
    # two per core was faster (-n 2 586 s, -n 4 408 s, same checkout); on a fresh
    # clone, where the workers first download and compute the same things, it
    # was slower (-n 4 790 s, -n 2 694 s).  A fresh clone is what users and CI run.
    # --dist loadgroup is served by tests/conftest.py's scheduler: the longest
    # tests go out first, and tests sharing a boot or a browser session stay
    # on one worker.
    jobs=${FORK_EXPLORER_TEST_JOBS:-auto}
    log "pytest (-n $jobs)"
    set +e
    "$VENV/bin/python" -m pytest -n "$jobs" --dist loadgroup "$@"
    rc=$?
    set -e
    if [ $rc -eq 5 ]; then echo "no tests ran: that is a failure" >&2; exit 1; fi
    exit $rc
    ;;
  explore)
    [ ${#APT_PACKAGES_EXPLORE[@]} -gt 0 ] && apt_install "${APT_PACKAGES_EXPLORE[@]}"
    python_env
    hub_proxy
    kernel_sources
    old_sources
    if [ "${1:-}" = "--lab" ]; then
      shift
      exec "$VENV/bin/python" -m explorer.lab notebooks/ "$@"   # the tour's settings; --allow-root as root
    fi
    if "$VENV/bin/fork-explorer" serve --help >/dev/null 2>&1; then
      exec "$VENV/bin/fork-explorer" serve "$@"
    fi
    exec "$VENV/bin/python" -m explorer.lab notebooks/ "$@"
    ;;
  lock)
    # Re-resolve the newest versions allowed by pyproject.toml in a scratch venv
    # and record them; run './dev.sh test' afterwards and commit constraints.txt
    # only if it passes.
    scratch=$(mktemp -d)
    "$PY" -m venv "$scratch/venv"
    "$scratch/venv/bin/pip" install -q --upgrade pip >/dev/null
    "$scratch/venv/bin/pip" install -q -e ".[test]"
    { echo "# pip constraints: the versions ./dev.sh test last passed with (refresh: ./dev.sh lock)"
      "$scratch/venv/bin/pip" freeze --exclude-editable; } > constraints.txt
    rm -rf "$scratch"
    log "constraints.txt refreshed; now run ./dev.sh test"
    ;;
  *)
    echo "usage: ./dev.sh explore [--lab] | ./dev.sh test [pytest args] | ./dev.sh lock" >&2
    exit 2
    ;;
esac
