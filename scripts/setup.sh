#!/usr/bin/env bash
# Installs everything nullcam needs on a fresh Debian machine with Node 20, then builds it and converts
# the face models. Safe to re-run. Set NULLCAM_NO_APT=1 to skip the Debian ffmpeg install.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's ffmpeg 5.1 (libx264, ffprobe) encodes ~5x faster than the npm fallback binary (2018, no ffprobe).
if ! command -v ffmpeg >/dev/null 2>&1 || ! command -v ffprobe >/dev/null 2>&1; then
  if [ "${NULLCAM_NO_APT:-0}" != 1 ] && command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo -n"
    echo "setup: installing Debian ffmpeg (apt-get)"
    if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends ffmpeg >/dev/null; }; then
      echo "setup: could not install Debian ffmpeg; nullcam will use the npm fallback binary (slower, older)"
    fi
  else
    echo "setup: no system ffmpeg; nullcam will use the npm fallback binary (@ffmpeg-installer/ffmpeg)"
  fi
fi

# onnxruntime-node's postinstall downloads CUDA libraries from NuGet and fails offline; the CPU build is bundled.
export ONNXRUNTIME_NODE_INSTALL="${ONNXRUNTIME_NODE_INSTALL:-skip}"
npm ci --no-audit --no-fund
npm run build
node bin/nullcam.js models install --progress none
