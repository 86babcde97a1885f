/**
 * A publisher that outlives its connection: pushes to an RTSP server through `publishRtsp`, and when the
 * server goes away or refuses, logs one line and reconnects after a capped back-off. Access units written
 * (and audio) while disconnected are dropped (the new connection starts at the next keyframe).
 */
import type { AudioUnit } from '../ingest/audio-unit.js';
import type { H264AccessUnit } from '../egress/h264-access-unit.js';
import type { LiveSink } from '../egress/live-sink.js';
import { publishRtsp, type PublishOptions } from '../egress/rtsp-publisher.js';
import { backoffDelay, type BackoffOptions } from '../ingest/backoff.js';

export interface ResilientPublisherOptions {
  readonly transport: 'tcp' | 'udp';
  readonly backoff: BackoffOptions;
  readonly log: (line: string) => void;
  /** One connection; default publishRtsp (tests pass fakes). */
  readonly connect?: (url: string, options: PublishOptions) => Promise<LiveSink>;
}

export interface ResilientPublisher extends LiveSink {
  /** Settles with the first connection attempt: rejects with its one-line error if the server did not answer. */
  readonly firstAttempt: Promise<void>;
}

export function resilientPublisher(url: string, options: ResilientPublisherOptions): ResilientPublisher {
  const connect = options.connect ?? publishRtsp;
  let current: LiveSink | null = null;
  let failures = 0;
  let closed = false;
  // Told once per camera connection; a new publisher connection must hear it too.
  let audioExpected = false;
  let retry: NodeJS.Timeout | undefined;

  const lost = (why: string): void => {
    const sink = current;
    current = null;
    void sink?.close().catch(() => {});
    if (closed || retry) return;
    failures++;
    const ms = backoffDelay(failures, options.backoff);
    options.log(`publishing: ${why}; retrying in ${ms / 1000} s`);
    retry = setTimeout(() => {
      retry = undefined;
      void open().catch(() => {});
    }, ms);
  };

  const open = async (): Promise<void> => {
    // Assigned when connect resolves; an error reported before that fails this attempt.
    let sink: LiveSink | undefined;
    let early: Error | undefined;
    const onError = (error: Error): void => {
      if (sink === undefined) early ??= error;
      else if (sink === current) lost(error.message);
    };
    try {
      sink = await connect(url, { transport: options.transport, onError });
      if (early) {
        void sink.close().catch(() => {});
        throw early;
      }
      if (closed) return void (await sink.close());
      current = sink;
      if (audioExpected) sink.expectAudio();
      if (failures > 0) options.log('publishing again');
      failures = 0;
    } catch (error) {
      lost(error instanceof Error ? error.message : String(error));
      throw error;
    }
  };

  const forward = (write: (sink: LiveSink) => void): void => {
    if (!current) return;
    try {
      write(current);
    } catch (error) {
      lost(error instanceof Error ? error.message : String(error));
    }
  };

  return {
    firstAttempt: open(),
    write: (au: H264AccessUnit) => forward((sink) => sink.write(au)),
    writeAudio: (unit: AudioUnit) => forward((sink) => sink.writeAudio(unit)),
    expectAudio: () => {
      audioExpected = true;
      forward((sink) => sink.expectAudio());
    },
    async close(): Promise<void> {
      closed = true;
      clearTimeout(retry);
      await current?.close();
      current = null;
    },
  };
}
