/**
 * The recovery file end to end without video: written by RecoveryWriter, read back by the reader and the
 * verifier with master and per-track keyrings, and every tampering the brief names detected per record.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rectMask } from '../../src/anonymize/region-mask.js';
import { frameByteLength, type Frame } from '../../src/frame.js';
import { keyFingerprint, trackKey } from '../../src/keys/key-derivation.js';
import { encodeHeader, newVideoId, recoveryPathFor, type RecoveryHeader } from '../../src/keys/recovery-header.js';
import { masterKeyring, trackKeyring } from '../../src/keys/recovery-keyring.js';
import { openRecoveryFile } from '../../src/keys/recovery-reader.js';
import { openRecord, RecordAuthError } from '../../src/keys/recovery-record.js';
import { RecoveryVerifier } from '../../src/keys/recovery-verifier.js';
import { RecoveryWriter } from '../../src/keys/recovery-writer.js';
import { encodeRegionPayload } from '../../src/keys/region-payload.js';
import { packRegion } from '../../src/keys/region-pixels.js';
import { tempDir } from '../fixtures/media.js';

const W = 48, H = 32, FRAMES = 6;
const tmp = tempDir('nullcam-recovery-');
afterAll(() => tmp.remove());

function frame(index: number): Frame {
  const data = Buffer.alloc(frameByteLength('yuv420p', W, H));
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + index * 17) & 0xff;
  return { source: 't', index, pts: index * 512, timeBase: { num: 1, den: 12800 }, width: W, height: H, format: 'yuv420p', data };
}

function header(master: Buffer): RecoveryHeader {
  return {
    format: 'nullcam-recovery', version: 1, cipher: 'aes-256-gcm', compression: 'med+deflate', videoId: newVideoId(),
    video: { width: W, height: H, format: 'yuv420p', timeBase: { num: 1, den: 12800 } },
    key: { fingerprint: keyFingerprint(master), kdf: 'key-file' }, createdBy: 'test',
  };
}

/** FRAMES frames, each with a region of track 1 and of track 2: 12 regions, 2 track ends, 1 end record. */
async function writeFile(name: string, master = randomBytes(32)): Promise<{ video: string; master: Buffer }> {
  const video = path.join(tmp.dir, `${name}.mp4`);
  const writer = await RecoveryWriter.create(video, false, header(master), master);
  for (let i = 0; i < FRAMES; i++) {
    const f = frame(i);
    for (const [track, x] of [[1, 2], [2, 20]] as const) {
      const mask = rectMask({ x, y: 4, width: 16, height: 20 }, W, H)!;
      await writer.writeRegion(f, track, await encodeRegionPayload({ mask, pixels: packRegion(f, mask) }, f));
    }
    writer.frameDone(f);
  }
  writeFileSync(video, `video ${name}`);
  await writer.commit(video);
  return { video, master };
}

/** Splits a recovery file into its header bytes and its records' bytes. */
function split(file: string): { head: Buffer; records: Buffer[] } {
  const bytes = readFileSync(file);
  let o = 12 + bytes.readUInt32BE(8);
  const head = bytes.subarray(0, o);
  const records: Buffer[] = [];
  while (o < bytes.length) {
    const n = 4 + bytes.readUInt32BE(o);
    records.push(bytes.subarray(o, o + n));
    o += n;
  }
  return { head, records };
}

async function verify(video: string, master: Buffer, track?: number) {
  const file = await openRecoveryFile(video);
  const v = new RecoveryVerifier(file, masterKeyring(master, file.fingerprint, track));
  const opened = [];
  for await (const r of v.openRegions()) opened.push(r);
  return { verifier: v, opened, file };
}

describe('recovery file', () => {
  it('round-trips: every region opens, in frame order, with its pixels; the file says nothing in clear', async () => {
    const { video, master } = await writeFile('ok');
    const { verifier, opened } = await verify(video, master);
    expect(verifier.problems).toEqual([]);
    expect(opened.map((r) => [r.header.frameIndex, r.header.trackId])).toEqual(Array.from({ length: FRAMES }, (_, i) => [[i, 1], [i, 2]]).flat());
    const mask = rectMask({ x: 2, y: 4, width: 16, height: 20 }, W, H)!;
    expect(Buffer.from(opened[4].payload.pixels).equals(packRegion(frame(2), mask))).toBe(true);
    expect(verifier.end).toEqual({ frames: FRAMES, regions: 12, tracks: [1, 2], videoSha256: createHash('sha256').update('video ok').digest('hex') });
    expect(verifier.videoSha256).toBe(verifier.end!.videoSha256);
    expect(readFileSync(recoveryPathFor(video)).includes(master)).toBe(false);
    expect(readFileSync(recoveryPathFor(video)).includes(packRegion(frame(0), mask).subarray(0, 32))).toBe(false);
  });

  it('--track limits a master key to one track', async () => {
    const { video, master } = await writeFile('track');
    const { verifier, opened } = await verify(video, master, 2);
    expect(verifier.problems).toEqual([]);
    expect(new Set(opened.map((r) => r.header.trackId))).toEqual(new Set([2]));
  });

  it('a per-track key opens its track and fails authentication on every other', async () => {
    const { video, master } = await writeFile('pertrack');
    const file = await openRecoveryFile(video);
    const k1 = trackKey(master, file.fingerprint, 1);
    const own = new RecoveryVerifier(file, trackKeyring(1, k1));
    const opened = [];
    for await (const r of own.openRegions()) opened.push(r);
    expect(own.problems).toEqual([]);
    expect(opened).toHaveLength(FRAMES);
    const other = await new RecoveryVerifier(file, trackKeyring(2, k1)).audit();
    expect(other.problems.filter((p) => /authentication failed/.test(p.reason))).toHaveLength(FRAMES + 1);
    for await (const read of file.records()) {
      if ('sealed' in read && read.sealed.header.trackId === 2) expect(() => openRecord(k1, file.fingerprint, read.sealed)).toThrow(RecordAuthError);
    }
  });

  it('a wrong master key fails every record', async () => {
    const { video } = await writeFile('wrongkey');
    const { verifier, opened } = await verify(video, randomBytes(32));
    expect(opened).toEqual([]);
    expect(verifier.problems.filter((p) => /authentication failed/.test(p.reason)).length).toBe(15);
  });

  const tampered = async (name: string, edit: (parts: { head: Buffer; records: Buffer[] }) => Buffer[]) => {
    const { video, master } = await writeFile(name);
    const parts = split(recoveryPathFor(video));
    writeFileSync(recoveryPathFor(video), Buffer.concat([parts.head, ...edit(parts)]));
    return verify(video, master);
  };

  it('a flipped byte fails that record alone', async () => {
    const { verifier, opened } = await tampered('flip', ({ records }) => {
      const r = Buffer.from(records[3]);
      r[r.length - 40] ^= 1;
      return [...records.slice(0, 3), r, ...records.slice(4)];
    });
    expect(verifier.problems).toMatchObject([{ position: 3, header: { frameIndex: 1, trackId: 2 }, reason: expect.stringMatching(/authentication failed/) }]);
    expect(opened).toHaveLength(11);
  });

  it('a flipped byte in a clear field (the frame index) fails too', async () => {
    const { verifier } = await tampered('flipfield', ({ records }) => {
      const r = Buffer.from(records[2]);
      r[16] ^= 1;
      return [...records.slice(0, 2), r, ...records.slice(3)];
    });
    expect(verifier.problems.map((p) => p.position)).toEqual([2]);
  });

  it('a truncated file: the cut record and the missing end are reported', async () => {
    const { verifier, opened } = await tampered('cut', ({ records }) => [...records.slice(0, 7), records[7].subarray(0, 30)]);
    expect(opened).toHaveLength(7);
    expect(verifier.problems.map((p) => p.reason)).toEqual([expect.stringMatching(/cut off/), expect.stringMatching(/end marker is missing/)]);
  });

  it('reordered records are reported', async () => {
    const { verifier } = await tampered('swap', ({ records }) => [...records.slice(0, 4), records[6], records[5], records[4], ...records.slice(7)]);
    expect(verifier.problems.length).toBeGreaterThanOrEqual(2);
    expect(verifier.problems.some((p) => /out of order/.test(p.reason))).toBe(true);
    expect(verifier.problems.some((p) => /missing/.test(p.reason))).toBe(true);
  });

  it('a deleted record is reported as missing', async () => {
    const { verifier, opened } = await tampered('drop', ({ records }) => [...records.slice(0, 5), ...records.slice(6)]);
    expect(opened).toHaveLength(11);
    expect(verifier.problems.map((p) => p.reason)).toEqual([expect.stringMatching(/1 record\(s\) missing before/), expect.stringMatching(/track 2: 1 record\(s\) missing/)]);
  });

  it('a record copied from another video (same master key, same place) fails authentication', async () => {
    const master = randomBytes(32);
    const other = await writeFile('donor', master);
    const donor = split(recoveryPathFor(other.video)).records;
    const { video } = await writeFile('victim', master);
    const parts = split(recoveryPathFor(video));
    writeFileSync(recoveryPathFor(video), Buffer.concat([parts.head, ...parts.records.slice(0, 2), donor[2], ...parts.records.slice(3)]));
    const { verifier } = await verify(video, master);
    expect(verifier.problems).toMatchObject([{ position: 2, reason: expect.stringMatching(/authentication failed/) }]);
  });

  it('a changed header fails every record', async () => {
    const { video, master } = await writeFile('header');
    const parts = split(recoveryPathFor(video));
    const json = JSON.parse(parts.head.subarray(12).toString()) as RecoveryHeader;
    writeFileSync(recoveryPathFor(video), Buffer.concat([encodeHeader({ ...json, createdBy: 'someone else' }), ...parts.records]));
    const { verifier, opened } = await verify(video, master);
    expect(opened).toEqual([]);
    expect(verifier.problems).toHaveLength(15);
  });

  it('refuses to replace an existing recovery file, and discard leaves nothing', async () => {
    const { video, master } = await writeFile('exists');
    await expect(RecoveryWriter.create(video, false, header(master), master)).rejects.toThrow(/already exists/);
    const fresh = path.join(tmp.dir, 'fresh.mp4');
    const writer = await RecoveryWriter.create(fresh, false, header(master), master);
    await writer.discard();
    expect(existsSync(recoveryPathFor(fresh))).toBe(false);
    expect(readFileSync(recoveryPathFor(video)).length).toBeGreaterThan(0);
  });

  it('missing or foreign recovery data: one clear line', async () => {
    await expect(openRecoveryFile(path.join(tmp.dir, 'none.mp4'))).rejects.toThrow(/has no recovery data/);
    writeFileSync(recoveryPathFor(path.join(tmp.dir, 'junk.mp4')), 'not a recovery file');
    await expect(openRecoveryFile(path.join(tmp.dir, 'junk.mp4'))).rejects.toThrow(/is not nullcam recovery data/);
  });
});
