/** --help texts. Setting defaults come from the schema, so help never disagrees with config/default.jsonc. */
import { schemaFields } from '../config/config-schema.js';

export const MAIN_HELP = `nullcam: remove people's identities from video, keep everything else
(pose, expression, audio, timing, frame count).

Usage:
  nullcam anonymize INPUT -o OUTPUT [options]   anonymize every face in a video file
  nullcam proxy URL --serve RTSP_URL [options]  anonymize a live camera and serve it over RTSP
  nullcam watch IN_DIR --out OUT_DIR [options]  anonymize each finished segment a recorder writes
  nullcam keygen -o FILE [--passphrase]          create a key that makes anonymization reversible
  nullcam reveal VIDEO -o OUTPUT --key-file KEY  restore the original faces (all, or one --track)
  nullcam keys export VIDEO --track N ...        a key that restores one person of one video only
  nullcam inspect VIDEO                          what recovery data a video has (no key needed)
  nullcam doctor [--bundle DIR] [--ep NAME]      which ffmpeg (and its live inputs), execution provider, models
                                                 (and load + verify a diffusion model bundle)
  nullcam models install                         convert and cache the face models now (else: on first use)
  nullcam models make-test-bundle DIR            write a tiny RANDOM-weight diffusion bundle (tests/CI only)
  nullcam config                                 print every setting with its default (commented JSON)
  nullcam help [COMMAND] | --help | --version

Examples:
  nullcam anonymize interview.mp4 -o interview.anon.mp4
  nullcam anonymize cctv.mkv -o cctv.anon.mkv --mode pixelate --tracks-json cctv.tracks.json
  nullcam config > my.jsonc && nullcam anonymize in.mp4 -o out.mp4 --config my.jsonc
  nullcam keygen -o team.key && nullcam anonymize in.mp4 -o out.mp4 --key-file team.key
  nullcam reveal out.mp4 --key-file team.key -o restored.mkv
  nullcam proxy rtsp://user:pass@10.0.0.5/stream --serve rtsp://0.0.0.0:8554/door

Exit codes: 0 done, 1 failed (nothing written), 2 bad usage or settings, 130 interrupted.
Run "nullcam anonymize --help" for the options.
`;

export function anonymizeHelp(): string {
  const settings = schemaFields()
    .map(([key, f]) => `  ${key.padEnd(26)} ${JSON.stringify(f.default).padEnd(10)} ${f.doc}`)
    .join('\n');
  return `Usage: nullcam anonymize INPUT -o OUTPUT [options]

Decodes INPUT (any file ffmpeg reads), finds and tracks every face, anonymizes it, and encodes OUTPUT
(.mp4, .mkv or .mov) with all audio streams, timestamps and the frame count of INPUT. OUTPUT is written
to a temporary file and renamed when the run succeeds: a failed or interrupted run leaves no partial file
and never touches an existing one.

Options:
  -o, --output FILE       the anonymized video to write
  -m, --mode MODE         blur | pixelate | solid | mask | nullface | secure (default: blur). mask fills
                          the face oval from 468 landmarks and keeps hair and background; blur, pixelate
                          and solid cover an ellipse around the face box. nullface and secure replace
                          the face with a generated one (diffusion, needs --model-dir): nullface steers
                          away from the person's identity and keeps pose and expression; secure flips
                          the latent's signs with --key-file's secret. Faces they cannot process are
                          blurred.
  -c, --config FILE       settings file (JSON with comments; "nullcam config" prints all of them)
      --set KEY=VALUE     change one setting, repeatable: --set detect.stride=1 --set track.dilate=0.3
      --progress STYLE    bar | json | none (default: bar on a terminal, json lines otherwise; json ends
                          with {"event":"done",...} holding frames, faces, tracks, seconds, fps)
      --tracks-json FILE  write every frame's boxes, track ids, scores and why each box exists
                          (detected, interpolated, extrapolated) for human review
  -k, --key-file KEY      master key from nullcam keygen: also write recovery data (OUTPUT.nullrec: the
                          original face pixels, encrypted, for nullcam reveal); secure mode's key
      --passphrase        the same with a key derived from a passphrase ($NULLCAM_PASSPHRASE, a
                          prompt, or stdin's first line): recovery data, and secure mode's key
  -y, --overwrite         replace OUTPUT if it exists (default: refuse)
      --no-audio          drop audio (default: copy every audio stream unchanged)
      --encoder NAME      = --set encode.codec=NAME (libx264, libx265, h264_nvenc, ffv1, ...)
      --preset NAME       = --set encode.preset=NAME
      --crf N             = --set encode.crf=N (lower: better quality, larger file)
      --bitrate RATE      = --set encode.bitrate=RATE (e.g. 4M; overrides crf)
      --stride N          = --set detect.stride=N (1 is the safest and slowest)
      --min-score X       = --set detect.minScore=X (lower covers more, with more false alarms)
      --dilate X          = --set track.dilate=X (bigger boxes)
      --ep NAME           = --set runtime.executionProvider=NAME (auto, cpu, cuda, webgpu)
      --model-dir DIR     = --set diffuse.modelDir=DIR: the model bundle of nullface and secure
                          ("nullcam models make-test-bundle DIR" writes a random-weight test bundle)
      --debug             print stack traces of errors

Settings (key, default, meaning):
${settings}

Trade-offs: a missed face is worse than an extra blur, so the defaults detect at a low score, grow boxes,
and keep covering a face for track.holdFrames after the detector loses it. Raise detect.stride for speed
on static footage; lower it to 1 for fast motion.
`;
}

export const PROXY_HELP = `Usage: nullcam proxy URL --serve rtsp://HOST:PORT/PATH [options]
       nullcam proxy --config FILE          (cameras listed in live.cameras)

Reads a live camera (rtsp://, rtmp://, srt://, http(s):// incl. HLS, or a webcam /dev/videoN), anonymizes
every face, and serves the result as H.264 over RTSP from nullcam's own server (any number of clients: VLC,
ffmpeg, an NVR). Latency stays bounded: when anonymizing falls behind, frames are dropped (and counted),
never queued. Fail closed: if the detector is late or a stage fails, frames go out black until it recovers;
while the camera is away, black frames keep clients connected, and nullcam reconnects with back-off.
The camera's audio (its first audio stream) is served beside the video, in sync: AAC and G.711 as the
camera sends them, other codecs (and any audio over SRT, UDP, HTTP or HLS) re-encoded to AAC.
--no-audio leaves it out, e.g. where recording sound is not allowed.

Options:
      --serve URL         rtsp://HOST:PORT/PATH to serve at (HOST 127.0.0.1 = this machine only, 0.0.0.0 =
                          everyone); rtsp://user:pass@HOST:PORT/PATH makes clients authenticate (Digest)
      --publish URL       also push to an existing RTSP server (ANNOUNCE/RECORD), e.g. rtsp://mediamtx:8554/door
  -m, --mode MODE         blur | pixelate | solid | mask (default: blur)
      --transport T       tcp | udp: how an RTSP camera is read (default tcp = live.transport)
      --webcam MODE       a webcam's capture mode WIDTHxHEIGHT@FPS:FORMAT, each part optional, e.g.
                          1280x720@30:mjpeg (= live.webcam; default: the device's current mode, often 640x480)
      --no-audio          serve the video alone (= --set encode.audio=none)
      --metrics HOST:PORT serve GET /metrics (Prometheus) and GET /healthz (= live.metrics)
  -c, --config FILE       settings file; live.cameras lists several cameras for one process
      --set KEY=VALUE     change one setting, e.g. --set live.gopSeconds=2 --set live.stallSeconds=3
      --stride N          = --set detect.stride=N
      --ep NAME           = --set runtime.executionProvider=NAME
      --model-dir DIR     = --set runtime.modelDir=DIR
      --debug             print stack traces of errors

Live settings (key, default, meaning; all settings: nullcam anonymize --help):
${schemaFields()
  .filter(([key]) => key.startsWith('live.'))
  .map(([key, f]) => `  ${key.padEnd(26)} ${JSON.stringify(f.default).padEnd(11)} ${f.doc}`)
  .join('\n')}

With one camera, a camera that never answers (live.startAttempts) or a port in use is an error (exit 1);
with several, each problem is one log line and the other cameras keep running. Ctrl-C stops (exit 0).
`;

export const WATCH_HELP = `Usage: nullcam watch IN_DIR --out OUT_DIR [options]

Watches a recorder's segment directory (recursively) and anonymizes each finished segment into the same
relative path under OUT_DIR (.ts, .avi and other containers nullcam cannot write become .mkv). A segment
is finished when its size and modification time have not changed for --settle seconds. Runs until
SIGINT/SIGTERM (exit 0). Kill it at any time: a state file records every segment done or failed, so on
restart nothing is lost and nothing is done twice; a segment that was being processed is done again, and
its temporary output is removed. Outputs are written to a temporary file and renamed when complete.

Options:
  -o, --out DIR               where the anonymized segments go (created if missing; not IN_DIR)
      --state FILE            the state file (default: OUT_DIR/.nullcam-watch.json)
      --delete-originals-after
                              delete each raw segment once its anonymized copy is in place and recorded
                              (default: keep). Failed segments are never deleted.
      --settle SECONDS        how long a segment must stay unchanged to count as closed (default 10;
                              must exceed the longest pause in the recorder's writes)
      --poll SECONDS          time between scans of IN_DIR (default 2)
      --json                  one JSON line per event on stdout (done, adopted, failed, deleted, error)
                              instead of text lines on stderr
  -k, --key-file KEY | --passphrase
                              also write each segment's recovery data (SEGMENT.nullrec, see nullcam reveal);
                              --mode secure needs one of them
  -m, --mode MODE, -c, --config FILE, --set KEY=VALUE, --no-audio and the other settings flags work as
  for "nullcam anonymize" (see nullcam anonymize --help).

A segment that cannot be read (corrupt, not a video) is recorded as failed with the reason and skipped;
it is tried again only if the file changes. A segment that changes after it was done is a new
recording and is done again.
`;

/** Help of the commands around recovery data. */
export const KEY_HELP = {
  keygen: `Usage: nullcam keygen -o FILE [--passphrase]

Writes a new 256-bit master key to FILE (mode 0600; an existing FILE is never overwritten). Anyone with
this key can restore every face of every video anonymized with it: keep it like a password.

Options:
  -o, --output FILE   where to write the key
      --passphrase    derive the key from a passphrase with scrypt (N=2^17, r=8, p=1, random salt; the
                      parameters are stored in FILE) instead of drawing it at random
`,
  reveal: `Usage: nullcam reveal VIDEO -o OUTPUT (--key-file KEY | --passphrase) [options]

Restores the original faces of VIDEO, an output of "nullcam anonymize --key-file", from its recovery
data VIDEO.nullrec. Inside every restored region the pixels are the decoded original; everything else is
VIDEO unchanged; audio is copied. The key is checked first ("key does not match this video": nothing is
written), then every record; a changed, cut-off, reordered or foreign record is listed and the reveal is
refused, unless --allow-partial.

Options:
  -o, --output FILE     the restored video. .mkv: lossless FFV1 (restored pixels bit-exact). .mp4/.mov:
                        H.264 CRF 12 (lossy: close to, not equal to, the original)
  -k, --key-file KEY    the master key (nullcam keygen) or a per-track key (nullcam keys export)
      --passphrase      the passphrase VIDEO was anonymized with
      --track N         restore track N only (nullcam inspect lists the tracks)
      --allow-partial   restore the records that pass every check, skip the rest, and say how many failed
  -y, --overwrite       replace OUTPUT if it exists
      --no-audio        drop audio
      --encoder NAME, --preset NAME, --crf N   override the video encoding
      --progress STYLE  bar | json | none
`,
  inspect: `Usage: nullcam inspect VIDEO [--json]

Shows the recovery data next to VIDEO (VIDEO.nullrec) without the key: cipher, key fingerprint and how
the key was made, tracks with their record counts and frame ranges, and whether the file is complete.
`,
  keys: `Usage: nullcam keys export VIDEO --track N (--key-file KEY | --passphrase) -o FILE

Writes a per-track key to FILE (mode 0600): it restores track N of VIDEO and nothing else (no other
person, no other video). Give it to whoever may see that person:
  nullcam reveal VIDEO --key-file FILE -o person.mkv
`,
} as const;
