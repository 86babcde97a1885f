/**
 * --tracks-json: every frame's face boxes, track ids, scores and origins, for human review. Streamed one
 * frame per line inside a JSON document, so memory stays flat on long videos; written to a temp file
 * and renamed when the run succeeds.
 */
import { createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { basename, dirname, join } from 'node:path';
import { frameSeconds } from '../frame.js';
import type { FaceFrame } from '../track/face.js';

export class TracksJsonWriter {
  private readonly temp: string;
  private readonly stream: WriteStream;
  private first = true;

  constructor(private readonly path: string, header: Record<string, unknown>) {
    this.temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
    this.stream = createWriteStream(this.temp);
    const head = JSON.stringify({ version: 1, ...header });
    this.stream.write(`${head.slice(0, -1)},"frames":[\n`);
  }

  /**
   * Appends one frame; resolves when the stream can take more (backpressure).
   * @param notes extra fields per face, by track id (the anonymizer's faceNotes)
   */
  async write(frame: FaceFrame, notes?: ReadonlyMap<number, object>): Promise<void> {
    const entry = {
      index: frame.index,
      pts: frame.pts,
      time: Math.round(frameSeconds(frame) * 1e6) / 1e6,
      faces: frame.faces.map((f) => ({
        track: f.trackId,
        box: [f.box.x, f.box.y, f.box.width, f.box.height].map((v) => Math.round(v * 10) / 10),
        score: Math.round(f.score * 1000) / 1000,
        origin: f.origin,
        ...notes?.get(f.trackId),
      })),
    };
    const ok = this.stream.write(`${this.first ? '' : ',\n'}${JSON.stringify(entry)}`);
    this.first = false;
    if (!ok) await once(this.stream, 'drain');
  }

  /** Closes the document and moves it into place. */
  async finish(): Promise<void> {
    this.stream.end('\n]}\n');
    await once(this.stream, 'finish');
    renameSync(this.temp, this.path);
  }

  /** Drops the partial file (failed or interrupted run). */
  abort(): void {
    this.stream.destroy();
    rmSync(this.temp, { force: true });
  }
}
