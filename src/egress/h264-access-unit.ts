/** One coded H.264 picture as the RTSP egress carries it. */

export interface H264AccessUnit {
  /** NAL units in decoding order, each without its Annex-B start code. */
  nalus: Buffer[];
  /** Presentation time on the 90 kHz RTP clock (RFC 6184 §8.2.1). */
  pts90k: number;
  /** The access unit holds an IDR slice: a decoder can start here. */
  keyframe: boolean;
}

/** nal_unit_type values used here (H.264 Table 7-1; RFC 6184 §5.2 for 24–29). */
export const NalType = { SLICE: 1, IDR: 5, SEI: 6, SPS: 7, PPS: 8, AUD: 9, STAP_A: 24, FU_A: 28 } as const;

/** nal_unit_type of a NAL unit (the low 5 bits of its header byte). */
export const nalType = (nalu: Buffer): number => nalu[0] & 0x1f;

/** The access unit's parameter sets, the last SPS and PPS in it, if any. */
export function parameterSets(au: H264AccessUnit): { sps?: Buffer; pps?: Buffer } {
  let sps: Buffer | undefined, pps: Buffer | undefined;
  for (const n of au.nalus) {
    const t = nalType(n);
    if (t === NalType.SPS) sps = n;
    else if (t === NalType.PPS) pps = n;
  }
  return { ...(sps ? { sps } : {}), ...(pps ? { pps } : {}) };
}

/** The access unit with `sps`/`pps` put in front where it lacks them (in-band parameter sets before an IDR). */
export function withParameterSets(au: H264AccessUnit, sps: Buffer | undefined, pps: Buffer | undefined): H264AccessUnit {
  const types = new Set(au.nalus.map(nalType));
  const prefix = [...(!types.has(NalType.SPS) && sps ? [sps] : []), ...(!types.has(NalType.PPS) && pps ? [pps] : [])];
  return prefix.length === 0 ? au : { ...au, nalus: [...prefix, ...au.nalus] };
}
