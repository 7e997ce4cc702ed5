#!/usr/bin/env bash
# Install the Debian packages libkube needs, only those missing; quiet and
# quick when everything is present.
set -euo pipefail
PKGS=(build-essential cmake pkg-config libuv1-dev libsqlite3-dev libyaml-dev libssl-dev
      libjansson-dev libcriterion-dev libhttp-parser-dev zlib1g-dev python3 python3-kubernetes
      protobuf-compiler curl)
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}" >&2
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
