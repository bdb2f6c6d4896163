#!/usr/bin/env bash
# Installs the Debian parts the project uses, only those missing.
#   run:  what `make` can use — python3-venv (for the project's Python, scripts/setup-python.sh, which brings
#         PyTorch 2 from pip) and graphviz (graph drawings). Optional: when they cannot be installed the pipeline
#         skips those stages and says why, so this only warns.
#   test: everything the tests check against — also Debian's torch and torchvision (the torchvision parity
#         test's reference: torchvision's wheels do not import with torch 2.13+cpu), python3-onnx 1.12 (the
#         reference checker for opsets up to 17 beside the venv's onnx 1.23),
#         ONNX's own test corpus, chromium (the report in a browser), nginx (serving it), fonts for the charts.
#   data: what `make task-data` uses to regenerate the committed labelled check data — espeak-ng (the spoken
#         wake words) and the DejaVu fonts (the rendered text lines).
set -euo pipefail
mode=${1:-test}
case "$mode" in
  run) packages=(python3-venv graphviz fonts-dejavu-core) ;;
  test) packages=(python3-venv python3-torch python3-torchvision python3-onnx libonnx-testdata graphviz chromium nginx fonts-dejavu-core) ;;
  data) packages=(espeak-ng fonts-dejavu-core) ;;
  *) echo "usage: $0 run|test|data" >&2; exit 2 ;;
esac
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

fail() {
  if [ "$mode" = run ]; then
    echo "setup: could not install ${missing[*]} ($1); the stages that need them will be skipped" >&2
    exit 0
  fi
  needs="the tests need"
  [ "$mode" = data ] && needs="make task-data needs"
  echo "setup: $needs ${missing[*]} ($1): install them with apt-get install ${missing[*]}" >&2
  exit 2
}
command -v apt-get >/dev/null || fail "no apt-get on this machine"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null && sudo -n true 2>/dev/null || fail "not root and no password-less sudo"
  sudo=(sudo -n)
fi
echo "setup: installing ${missing[*]}" >&2
# apt is quiet here for a minute or more; the heartbeat says every few seconds that it is still at work.
beat=(node "$(dirname "$0")/heartbeat.mjs")
"${beat[@]}" 'apt-get update' "${sudo[@]}" apt-get update -qq || fail "apt-get update failed"
DEBIAN_FRONTEND=noninteractive "${beat[@]}" 'apt-get install' "${sudo[@]}" apt-get install -y -qq \
  --no-install-recommends "${missing[@]}" >/dev/null || fail "apt-get install failed"
