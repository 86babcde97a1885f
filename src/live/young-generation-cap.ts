/**
 * Holds V8's young generation at 8 MB semi-spaces in a long-running proxy. With frame buffers pooled
 * (src/frame-pool.ts) the main thread's garbage is collected mostly by scavenges, and V8 grew the young
 * generation to its largest in the first minutes: +11 MB resident, a third of the proxy's RSS rise in a
 * 600 s run (README "Memory"). `--max-semi-space-size` does this but is read only when node starts; the
 * growth factor is read at every growth, so setting it to 1 once the semi-spaces reached the cap keeps
 * them there.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/**
 * @param semiSpaceMb the semi-space size to hold (the young generation is two of them)
 * @param everyMs how often to look until the cap is reached
 * @returns stops looking (the cap, once set, stays for the process)
 */
export function capYoungGeneration(semiSpaceMb = 8, everyMs = 250): () => void {
  const reached = (): boolean => {
    const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    if (!young || young.space_size < 2 * semiSpaceMb * 1024 * 1024) return false;
    setFlagsFromString('--semi-space-growth-factor=1');
    return true;
  };
  if (reached()) return () => {};
  const timer = setInterval(() => reached() && clearInterval(timer), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
