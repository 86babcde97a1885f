import { describe, expect, it } from 'vitest';
import { parseShowinfoLine } from '../../src/ingest/showinfo-parser.js';

describe('parseShowinfoLine', () => {
  it('reads the time base line', () => {
    expect(parseShowinfoLine('[Parsed_showinfo_0 @ 0x5615b7694d40] [info] config in time_base: 125/2997, frame_rate: 2997/125')).toEqual({
      kind: 'timeBase',
      timeBase: { num: 125, den: 2997 },
    });
  });

  it('reads an ffmpeg 5.1 frame line (checksum=0)', () => {
    const line = '[Parsed_showinfo_0 @ 0x5615b7694d40] [info] n:   1 pts:    512 pts_time:0.04    pos:    42163 fmt:yuv420p sar:1/1 s:640x480 i:P iskey:0 type:B ';
    expect(parseShowinfoLine(line)).toEqual({ kind: 'frame', n: 1, pts: 512, width: 640, height: 480 });
  });

  it('reads a 2018 frame line (with checksums) and large counters', () => {
    const line =
      '[Parsed_showinfo_0 @ 0x2c43b140] [info] n:12345 pts:123456789 pts_time:9645.06 pos:    41412 fmt:yuv420p sar:1/1 s:33x17 i:P iskey:0 type:B checksum:BE64F609 plane_checksum:[4DF33BDE E8CF561C 446A640F] mean:[90 129 135 ] stdev:[60.4 20.2 20.2 ]';
    expect(parseShowinfoLine(line)).toEqual({ kind: 'frame', n: 12345, pts: 123456789, width: 33, height: 17 });
  });

  it('reports a frame without timestamp as pts null', () => {
    const line = '[Parsed_showinfo_0 @ 0x1] [info] n:   7 pts:NOPTS pts_time:NOPTS pos: -1 fmt:rgb24 sar:0/1 s:16x16 i:P iskey:1 type:I';
    expect(parseShowinfoLine(line)).toEqual({ kind: 'frame', n: 7, pts: null, width: 16, height: 16 });
  });

  it.each([
    '[Parsed_showinfo_0 @ 0x1] [info] config out time_base: 0/0, frame_rate: 0/0',
    '[Parsed_showinfo_0 @ 0x1] [info] color_range:unknown color_space:unknown color_primaries:unknown color_trc:unknown',
    '[mpeg4 @ 0x1] [error] ac-tex damaged at 6 14',
    '[info] Stream #0:0: Video: rawvideo, n: 3 pts: 4 pts_time:1 s:2x2 ',
  ])('ignores %s', (line) => {
    expect(parseShowinfoLine(line)).toBeNull();
  });
});
