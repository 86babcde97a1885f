/** sha256 of a file, streamed: bundle files reach gigabytes (an SD 1.5 UNet's weights are 3.4 GB in fp32). */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** @returns lowercase hex */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
