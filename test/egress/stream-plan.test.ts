import { describe, expect, it } from 'vitest';
import type { Container } from '../../src/egress/output-file.js';
import { planStreams } from '../../src/egress/stream-plan.js';
import type { StreamInfo, StreamKind } from '../../src/ingest/media-info.js';

const s = (index: number, kind: StreamKind, codec: string, attachedPicture = false): StreamInfo => ({ index, kind, codec, attachedPicture });

const STREAMS = [
  s(0, 'video', 'h264'),
  s(1, 'audio', 'aac'),
  s(2, 'audio', 'pcm_s16le'),
  s(3, 'subtitle', 'subrip'),
  s(4, 'subtitle', 'hdmv_pgs_subtitle'),
  s(5, 'subtitle', 'mov_text'),
  s(6, 'video', 'h264'),
  s(7, 'video', 'mjpeg', true),
  s(8, 'data', 'bin_data'),
  s(9, 'attachment', 'ttf'),
  s(10, 'attachment', 'png'),
];

const summary = (container: Container) => {
  const plan = planStreams(STREAMS, container, 0);
  return {
    kept: plan.kept.map(({ stream, action }) => `${stream.index}:${action.kind === 'copy' ? 'copy' : action.codec}`),
    dropped: plan.dropped.map(({ stream, reason }) => `${stream.index}: ${reason}`),
  };
};

describe('planStreams', () => {
  it('mp4: audio copied or made AAC, text subtitles to mov_text, the rest dropped with a reason', () => {
    expect(summary('mp4')).toEqual({
      kept: ['1:copy', '2:aac', '3:mov_text', '5:copy'],
      dropped: [
        '4: mp4 cannot hold hdmv_pgs_subtitle subtitles',
        '6: only the first video stream is anonymized',
        '7: cover art can show a face',
        '8: data streams can carry location or device data',
        '9: mp4 has no attachments',
        '10: mp4 has no attachments',
      ],
    });
  });

  it('mov: also keeps PCM', () => {
    expect(summary('mov').kept).toEqual(['1:copy', '2:copy', '3:mov_text', '5:copy']);
  });

  it('mkv: copies every audio and subtitle stream (mov_text to srt) and font attachments', () => {
    expect(summary('matroska')).toEqual({
      kept: ['1:copy', '2:copy', '3:copy', '4:copy', '5:srt', '9:copy'],
      dropped: [
        '6: only the first video stream is anonymized',
        '7: cover art can show a face',
        '8: data streams can carry location or device data',
        '10: attachments other than fonts can be pictures',
      ],
    });
  });
});
