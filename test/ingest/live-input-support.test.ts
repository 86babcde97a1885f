import { describe, expect, it } from 'vitest';
import { liveInputSupport } from '../../src/ingest/live-input-support.js';

// Trimmed from Debian's ffmpeg 5.1 and from the npm fallback's static 2018 build.
const DEBIAN_PROTOCOLS = 'Supported file protocols:\nInput:\n  file\n  hls\n  http\n  https\n  rtmp\n  srt\n  udp\nOutput:\n  file\n  srt\n';
const STATIC_PROTOCOLS = 'Supported file protocols:\nInput:\n  file\n  hls\n  http\n  https\n  rtmp\n  udp\nOutput:\n  file\n  srt\n';
const DEMUXERS = 'File formats:\n D. = Demuxing supported\n --\n D  flv             FLV (Flash Video)\n D  hls,applehttp   Apple HTTP Live Streaming\n D  rtsp            RTSP input\n D  video4linux2,v4l2 Video4Linux2 device grab\n';

describe('liveInputSupport', () => {
  it('reads input protocols and demuxers, aliases included', () => {
    expect(liveInputSupport(DEBIAN_PROTOCOLS, DEMUXERS)).toEqual({ supported: ['rtsp', 'rtmp', 'srt', 'http', 'https', 'hls', 'udp', 'v4l2'], missing: [] });
  });

  it('names what a build lacks (an output-only protocol does not count)', () => {
    expect(liveInputSupport(STATIC_PROTOCOLS, DEMUXERS.replace(/.*v4l2.*\n/, '')).missing).toEqual(['srt', 'v4l2']);
  });
});
