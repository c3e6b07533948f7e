#!/usr/bin/env bash
# Sourced by build.sh and .ci/run: checks every Debian package in .ci/packages by its probe and
# installs the missing ones when run as root on a machine with apt-get; otherwise names each missing
# package with the reason it is needed, prints the install command and returns 3.

ensure_packages() {
  local list missing=() reasons=() pkg probe why
  list="$(dirname "${BASH_SOURCE[0]}")/packages"
  while read -r pkg probe why; do
    [[ -z "$pkg" || "$pkg" == \#* ]] && continue
    if [[ "$probe" == /* ]]; then [[ -e "$probe" ]] && continue; else [[ -n "$(command -v "$probe")" ]] && continue; fi
    missing+=("$pkg")
    reasons+=("  $pkg: $why")
  done <"$list"
  if ((${#missing[@]})); then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
      echo "==> installing ${missing[*]} (Debian packages; see .ci/packages)"
      apt-get update -q >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
    else
      echo "error: missing Debian packages (not root, so not installing them):" >&2
      printf '%s\n' "${reasons[@]}" >&2
      echo "  install them with: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
      return 3
    fi
  fi
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "error: the .NET 10 SDK (dotnet) is not on PATH; install it from your distribution or Microsoft's packages" >&2
    return 3
  fi
}
