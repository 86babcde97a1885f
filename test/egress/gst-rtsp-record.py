"""A GStreamer RTSP server that takes one published H.264 stream (ANNOUNCE/RECORD) and prints "frame"
for every picture it decodes, and with "pcma" a G.711 A-law track too, printing "audio" for every buffer
of it decoded: an independent peer for nullcam's RTSP publisher.
Usage: python3 gst-rtsp-record.py PORT PATH [pcma]"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)
port, path = sys.argv[1], sys.argv[2]
audio = len(sys.argv) > 3 and sys.argv[3] == "pcma"
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_transport_mode(GstRtspServer.RTSPTransportMode.RECORD)
factory.set_latency(0)
audio_branch = " rtppcmadepay name=depay1 ! alawdec ! fakesink name=asink signal-handoffs=true sync=false" if audio else ""
factory.set_launch(f"( rtph264depay name=depay0 ! h264parse ! avdec_h264 ! fakesink name=sink signal-handoffs=true sync=false{audio_branch} )")


def configure(_factory, media):
    bin = media.get_element()
    bin.get_by_name("sink").connect("handoff", lambda *_: print("frame", flush=True))
    if audio:
        bin.get_by_name("asink").connect("handoff", lambda *_: print("audio", flush=True))


factory.connect("media-configure", configure)
server.get_mount_points().add_factory(path, factory)
server.attach(None)
print("ready", flush=True)
GLib.MainLoop().run()
