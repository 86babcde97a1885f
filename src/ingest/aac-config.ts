/**
 * AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1): what an AAC decoder needs before the first frame, as the
 * FLV sequence header carries it and the SDP's `config=` passes it on. Read only for what RTP needs: the
 * clock rate, the channel count and how many samples each frame counts; the bytes go on untouched.
 */

/** samplingFrequencyIndex 0–12; 15 means an explicit 24-bit rate follows. */
const SAMPLE_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];
const EXPLICIT_RATE = 15;
/** channelConfiguration → channels; 0 (layout in a program config element) and reserved values are left at 0. */
const CHANNELS = [0, 1, 2, 3, 4, 5, 6, 8, 0, 0, 0, 7, 8, 24, 8];
const ESCAPE_OBJECT_TYPE = 31;
/** Explicitly signalled SBR (HE-AAC) and PS (HE-AAC v2): the core's object type follows the extension rate. */
const SBR = 5, PS = 29;
const ER_BSAC = 22;
const ER_AAC_LD = 23;
/** Object types whose GASpecificConfig starts with frameLengthFlag: 1024 or 960 samples per frame (LD: 512 or 480). */
const GA_OBJECT_TYPES = new Set([1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 22, ER_AAC_LD]);

export interface AacConfig {
  /** The core coder's object type: 2 (AAC-LC) also for HE-AAC, whose SBR/PS may be signalled in front of it. */
  readonly objectType: number;
  /**
   * The core's sampling rate, which `frameSamples` count in. An SBR decoder plays twice the samples at
   * twice the rate, in the same time; the core rate keeps the RTP clock the same whether SBR is signalled
   * explicitly or only found in the frames (implicit signalling, where the core rate is all there is).
   */
  readonly sampleRate: number;
  readonly channels: number;
  readonly frameSamples: 1024 | 960 | 512 | 480;
}

/**
 * @throws Error when the config is too short, or not an AAC layout this reads (a program config element)
 * @example
 * parseAacConfig(Buffer.from('1188', 'hex')) // { objectType: 2, sampleRate: 48000, channels: 1, frameSamples: 1024 }
 * parseAacConfig(Buffer.from('2b118800', 'hex')) // HE-AAC, 48 kHz out: { objectType: 2, sampleRate: 24000, channels: 2, frameSamples: 1024 }
 */
export function parseAacConfig(asc: Buffer): AacConfig {
  const bits = bitReader(asc);
  const objectType = (): number => {
    const type = bits(5);
    return type === ESCAPE_OBJECT_TYPE ? 32 + bits(6) : type;
  };
  const sampleRate = (): number => {
    const index = bits(4);
    const rate = index === EXPLICIT_RATE ? bits(24) : SAMPLE_RATES[index];
    if (!rate) throw new Error(`AAC config ${asc.toString('hex')} has an invalid sampling frequency index ${index}`);
    return rate;
  };
  let type = objectType();
  const rate = sampleRate();
  const channelConfiguration = bits(4);
  if (type === SBR || type === PS) {
    sampleRate(); // the extension's (output) rate
    type = objectType();
    if (type === ER_BSAC) bits(4); // extensionChannelConfiguration
  }
  if (!GA_OBJECT_TYPES.has(type)) throw new Error(`AAC config ${asc.toString('hex')} has audio object type ${type}, which has no AAC frames`);
  const channels = CHANNELS[channelConfiguration] ?? 0;
  if (!channels) throw new Error(`AAC config ${asc.toString('hex')} has channel configuration ${channelConfiguration}, which gives no channel count`);
  const shortFrames = bits(1) === 1;
  const frameSamples = type === ER_AAC_LD ? (shortFrames ? 480 : 512) : shortFrames ? 960 : 1024;
  return { objectType: type, sampleRate: rate, channels, frameSamples };
}

/** Reads `n` bits, most significant first, and throws once the config runs out. */
function bitReader(b: Buffer): (n: number) => number {
  let at = 0;
  return (n) => {
    if (at + n > b.length * 8) throw new Error(`AAC config ${b.toString('hex')} is too short`);
    let value = 0;
    for (const end = at + n; at < end; at++) value = value * 2 + ((b[at >> 3] >> (7 - (at & 7))) & 1);
    return value;
  };
}
