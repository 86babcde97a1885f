"""A GStreamer RTSP server that takes one published H.264 stream (ANNOUNCE/RECORD) and prints "frame"
for every picture it decodes: an independent peer for nullcam's RTSP publisher.
Usage: python3 gst-rtsp-record.py PORT PATH"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)
port, path = sys.argv[1], sys.argv[2]
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_transport_mode(GstRtspServer.RTSPTransportMode.RECORD)
factory.set_latency(0)
factory.set_launch("( rtph264depay name=depay0 ! h264parse ! avdec_h264 ! fakesink name=sink signal-handoffs=true sync=false )")


def on_frame(*_):
    print("frame", flush=True)


factory.connect("media-configure", lambda _f, media: media.get_element().get_by_name("sink").connect("handoff", on_frame))
server.get_mount_points().add_factory(path, factory)
server.attach(None)
print("ready", flush=True)
GLib.MainLoop().run()
