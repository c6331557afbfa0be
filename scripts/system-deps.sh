#!/usr/bin/env bash
# Install the Debian packages receiptflow uses, only those that are missing.
#   scripts/system-deps.sh            what `make demo` needs (PDF rendering, OCR fallback, fonts)
#   scripts/system-deps.sh --test     plus what the test suite needs (Chromium for the review UI)
set -euo pipefail

packages=(poppler-utils tesseract-ocr tesseract-ocr-eng fonts-dejavu-core fonts-liberation)
if [[ "${1:-}" == "--test" ]]; then
    packages+=(chromium cmake build-essential)
fi

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if (( ${#missing[@]} == 0 )); then
    exit 0
fi
echo "installing system packages: ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
    sudo_cmd=(sudo)
fi
if ! command -v apt-get >/dev/null; then
    echo "apt-get not found: install ${missing[*]} with your package manager" >&2
    exit 1
fi
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
