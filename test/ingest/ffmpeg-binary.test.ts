import { describe, expect, it } from 'vitest';
import { NullcamError } from '../../src/errors.js';
import { locateFfmpeg } from '../../src/ingest/ffmpeg-binary.js';

describe('locateFfmpeg', () => {
  it('finds the system ffmpeg and ffprobe on PATH', async () => {
    const binary = await locateFfmpeg({ searchPath: '/usr/local/bin:/usr/bin' });
    expect(binary).toMatchObject({ ffmpeg: '/usr/bin/ffmpeg', ffprobe: '/usr/bin/ffprobe', origin: 'system', hasFpsMode: true, hasMovieTimescale: true });
    expect(binary.version).toMatch(/^\d+\.\d+/);
  });

  it('falls back to the npm build (2018, no ffprobe, no -fps_mode) when PATH has none', async () => {
    const binary = await locateFfmpeg({ searchPath: '' });
    expect(binary).toMatchObject({ ffprobe: null, origin: 'npm', hasFpsMode: false, hasMovieTimescale: false });
    expect(binary.ffmpeg).toMatch(/@ffmpeg-installer\/linux-x64\/ffmpeg$/);
    expect(binary.version).toBe('N-47683-g0e8eb07980-static');
  });

  it('uses an override and its sibling ffprobe', async () => {
    const binary = await locateFfmpeg({ override: '/usr/bin/ffmpeg', searchPath: '' });
    expect(binary).toMatchObject({ ffmpeg: '/usr/bin/ffmpeg', ffprobe: '/usr/bin/ffprobe', origin: 'override' });
  });

  it('rejects an override that is not an executable file', async () => {
    await expect(locateFfmpeg({ override: '/usr/bin' })).rejects.toThrow(NullcamError);
    await expect(locateFfmpeg({ override: '/nonexistent/ffmpeg' })).rejects.toThrow(
      'NULLCAM_FFMPEG points at /nonexistent/ffmpeg, which is not an executable file; fix the path or unset it.',
    );
  });

  it('rejects an override that is not ffmpeg', async () => {
    await expect(locateFfmpeg({ override: '/bin/true' })).rejects.toThrow(/is not ffmpeg/);
  });
});
