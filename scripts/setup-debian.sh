#!/usr/bin/env bash
# Installs the Debian parts the tests and the CPU pipeline use, only those missing: PyTorch and torchvision
# (CPU, the reference for parity and the torch runner), python3-onnx (the reference checker), ONNX's own
# test corpus, graphviz (graph drawings), chromium (the report test), nginx (serves the report in a test).
set -euo pipefail
packages=(python3-torch python3-torchvision python3-onnx libonnx-testdata graphviz chromium nginx fonts-dejavu-core)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
  echo "setup: missing Debian packages: ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2
  exit 2
fi
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
echo "setup: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
