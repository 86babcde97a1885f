#!/usr/bin/python3
"""A stand-in IP camera for the live tests and `npm run bench:live`: GStreamer's RTSP server playing an MP4 file (H.264 or MPEG-4
Part 2) in real time at rtsp://127.0.0.1:PORT/PATH, over UDP and TCP, shared by all clients.
Usage: rtsp-test-camera.py PORT PATH FILE [h264|mp4v] [none|aac|pcma|pcmu|opus]: with an audio codec, the file's first
audio track (in that codec) is sent too, as cameras do. Prints "ready" once listening."""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)
port, path, file = sys.argv[1], sys.argv[2], sys.argv[3]
codec = sys.argv[4] if len(sys.argv) > 4 else "h264"
audio = sys.argv[5] if len(sys.argv) > 5 else "none"
pay = "h264parse ! rtph264pay config-interval=1" if codec == "h264" else "mpeg4videoparse ! rtpmp4vpay config-interval=1"
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
audio_pay = {
    "none": "",
    "aac": "d.audio_0 ! queue ! aacparse ! rtpmp4gpay name=pay1 pt=97",
    "pcma": "d.audio_0 ! queue ! rtppcmapay name=pay1 pt=8",
    "pcmu": "d.audio_0 ! queue ! rtppcmupay name=pay1 pt=0",
    "opus": "d.audio_0 ! queue ! opusparse ! rtpopuspay name=pay1 pt=98",
}[audio]
factory.set_launch(f"( filesrc location={file} ! qtdemux name=d d.video_0 ! queue ! {pay} name=pay0 pt=96 {audio_pay} )")
factory.set_shared(True)
server.get_mount_points().add_factory(path, factory)
if server.attach(None) == 0:
    print(f"cannot listen on {port}", flush=True)
    sys.exit(1)
print("ready", flush=True)
GLib.MainLoop().run()
