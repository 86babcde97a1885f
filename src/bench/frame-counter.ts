/**
 * A frame counter burned into the bottom-left of a video as a row of black/white blocks: block 0 always
 * white (so a black or covered frame reads as no counter), then bit k in block k+1, least significant first, so a client can tell which camera frame it is looking at after any number of
 * lossy encodes. Used by `npm run bench:live` to pair the same frame on two paths and time the difference.
 */

export interface CounterLayout {
  /** Bits in the counter: frames counted before it wraps are 2^bits. */
  readonly bits: number;
  /** Block size in pixels (square); large enough to survive x264 at any sane quality. */
  readonly block: number;
}

export const COUNTER_LAYOUT: CounterLayout = { bits: 16, block: 32 };

/**
 * ffmpeg filter chain drawing frame number `n` at the bottom-left of the picture: a black strip, then one
 * white block per set bit (drawbox with a timeline `enable` expression: cheap, no per-pixel expression).
 */
export function counterFilter(layout: CounterLayout = COUNTER_LAYOUT): string {
  const { bits, block } = layout;
  const strip = `drawbox=x=0:y=ih-${block}:w=${(bits + 1) * block}:h=${block}:color=black:t=fill`;
  const sentinel = `drawbox=x=0:y=ih-${block}:w=${block}:h=${block}:color=white:t=fill`;
  const boxes = Array.from({ length: bits }, (_, k) => `drawbox=x=${(k + 1) * block}:y=ih-${block}:w=${block}:h=${block}:color=white:t=fill:enable='mod(floor(n/${2 ** k}),2)'`);
  return [strip, sentinel, ...boxes].join(',');
}

/** Width of the counter strip in pixels (the sentinel block and one block per bit). */
export const counterWidth = (layout: CounterLayout = COUNTER_LAYOUT): number => (layout.bits + 1) * layout.block;

/** ffmpeg crop (for a client) that keeps just the counter strip, `counterWidth` by `block` pixels. */
export function counterCrop(layout: CounterLayout = COUNTER_LAYOUT): string {
  return `crop=${counterWidth(layout)}:${layout.block}:0:ih-${layout.block}`;
}

/**
 * Reads the counter from the cropped strip as 8-bit gray (`counterWidth` wide, `block` high).
 * @returns the frame number, or null when a block is neither clearly black nor white (not a counter frame:
 *   a covered or gap-filling frame)
 */
export function readCounter(gray: Buffer, layout: CounterLayout = COUNTER_LAYOUT): number | null {
  const { bits, block } = layout;
  const width = counterWidth(layout);
  // Mean of a block's inner half: edges blur into the neighbours through chroma and deblocking.
  const level = (i: number): 'white' | 'black' | null => {
    let sum = 0, n = 0;
    for (let y = block / 4; y < (3 * block) / 4; y++) {
      for (let x = i * block + block / 4; x < i * block + (3 * block) / 4; x++) {
        sum += gray[y * width + x];
        n++;
      }
    }
    const mean = sum / n;
    return mean > 180 ? 'white' : mean < 60 ? 'black' : null;
  };
  if (level(0) !== 'white') return null;
  let value = 0;
  for (let k = 0; k < bits; k++) {
    const bit = level(k + 1);
    if (bit === null) return null;
    if (bit === 'white') value += 2 ** k;
  }
  return value;
}
