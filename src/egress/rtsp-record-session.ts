/**
 * A publisher's session on the server (ANNOUNCE, SETUP mode=record, RECORD): the RTP it sends, over
 * UDP or interleaved, is depacketized into access units and written to the mount it announced.
 */
import { randomBytes } from 'node:crypto';
import { H264Depacketizer } from './h264-depacketizer.js';
import type { RtspMount } from './rtsp-mount.js';
import type { RtspTransport } from './rtsp-transport.js';

export class RtspRecordSession {
  readonly id = randomBytes(8).toString('hex');
  private readonly depacketizer = new H264Depacketizer();
  private recording = false;

  constructor(
    readonly transport: RtspTransport,
    readonly mount: RtspMount,
  ) {}

  /** RECORD: packets are taken from now on. */
  start(): void {
    this.recording = true;
  }

  receive(packet: Buffer): void {
    if (!this.recording) return;
    for (const au of this.depacketizer.push(packet)) this.mount.write(au);
  }
}
