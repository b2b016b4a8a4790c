#!/usr/bin/env bash
# deps.sh installs the system packages docpipe needs to build, run and test, if they are missing.
# Debian/Ubuntu only; uses sudo when not root. --test adds what the tests need, --bench also
# the peers the benchmarks run.
set -euo pipefail

packages=(
  tesseract-ocr tesseract-ocr-eng tesseract-ocr-osd libtesseract-dev libleptonica-dev
  poppler-utils qpdf pkg-config gcc
  # OCR languages offered besides English; more packs can be added without rebuilding.
  tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-spa tesseract-ocr-ita tesseract-ocr-por tesseract-ocr-nld
)
if [[ "${1:-}" == "--test" || "${1:-}" == "--bench" ]]; then
  packages+=(fonts-dejavu-core fonts-liberation postgresql prometheus shellcheck chromium
    podman buildah runc debootstrap)
fi
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(ocrmypdf time) # the peer docpipe's OCR is measured against
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=""
if [[ $(id -u) != 0 ]]; then
  sudo="sudo"
fi
echo "deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
