#!/usr/bin/env bash
# Installs everything nullcam needs on a fresh Debian machine with Node 20, then builds it and converts
# the face models. Safe to re-run. Set NULLCAM_NO_APT=1 to skip the Debian package installs.
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

# Test peers, used only by the live tests (they skip with a reason when one is missing): GStreamer, an RTSP
# client and server independent of ffmpeg; gcc, which builds the emulated webcam (test/live/fake-webcam.c).
TEST_PACKAGES="gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav gcc libc6-dev"
if command -v dpkg-query >/dev/null 2>&1; then
  TEST_MISSING=""
  for pkg in $TEST_PACKAGES; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || TEST_MISSING="$TEST_MISSING $pkg"
  done
  if [ -n "$TEST_MISSING" ]; then
    if [ "${NULLCAM_NO_APT:-0}" != 1 ] && command -v apt-get >/dev/null 2>&1; then
      SUDO=""
      [ "$(id -u)" = 0 ] || SUDO="sudo -n"
      echo "setup: installing test peers for the live tests (apt-get):$TEST_MISSING"
      if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $TEST_MISSING >/dev/null; }; then
        echo "setup: could not install the test peers; the live tests that use them will be skipped"
      fi
    else
      echo "setup: test peers missing ($TEST_MISSING ); the live tests that use them will be skipped"
    fi
  fi
fi

# onnxruntime-node's postinstall downloads CUDA libraries from NuGet and fails offline; the CPU build is bundled.
export ONNXRUNTIME_NODE_INSTALL="${ONNXRUNTIME_NODE_INSTALL:-skip}"
npm ci --no-audit --no-fund
npm run build
node bin/nullcam.js models install --progress none
