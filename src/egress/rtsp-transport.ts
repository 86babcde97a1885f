/** The Transport header of SETUP (RFC 2326 §12.39): RTP over UDP to client ports, or interleaved in TCP. */

export type RtspTransport =
  | { readonly kind: 'udp'; readonly clientPorts: readonly [number, number]; readonly record: boolean }
  | { readonly kind: 'tcp'; readonly channels: readonly [number, number]; readonly record: boolean };

/**
 * The first alternative this server supports (unicast RTP/AVP over UDP or TCP).
 * @example
 * parseTransport('RTP/AVP/TCP;unicast;interleaved=0-1') // { kind: 'tcp', channels: [0, 1], record: false }
 * @returns undefined when no alternative is supported (answer 461)
 */
export function parseTransport(header: string | undefined, nextChannel = 0): RtspTransport | undefined {
  for (const alternative of (header ?? '').split(',')) {
    const [spec, ...params] = alternative.trim().split(';');
    const p = new Map(params.map((x) => { const eq = x.indexOf('='); return eq < 0 ? [x.trim().toLowerCase(), ''] : [x.slice(0, eq).trim().toLowerCase(), x.slice(eq + 1).trim()]; }));
    if (p.has('multicast')) continue;
    const record = p.get('mode')?.replace(/"/g, '').toLowerCase() === 'record';
    const proto = spec.toUpperCase();
    if (proto === 'RTP/AVP/TCP') {
      const channels = pair(p.get('interleaved')) ?? [nextChannel, nextChannel + 1];
      return { kind: 'tcp', channels, record };
    }
    if (proto === 'RTP/AVP' || proto === 'RTP/AVP/UDP') {
      const ports = pair(p.get('client_port'));
      if (ports) return { kind: 'udp', clientPorts: ports, record };
    }
  }
  return undefined;
}

function pair(value: string | undefined): [number, number] | undefined {
  if (!value) return undefined;
  const [a, b] = value.split('-').map(Number);
  if (!Number.isInteger(a) || a < 0 || a > 65535) return undefined;
  return [a, Number.isInteger(b) ? b : a + 1];
}

/** The Transport header of the SETUP answer. */
export function formatTransport(t: RtspTransport, serverPorts?: readonly [number, number], ssrc?: number): string {
  const parts = t.kind === 'tcp' ? ['RTP/AVP/TCP', 'unicast', `interleaved=${t.channels[0]}-${t.channels[1]}`] : ['RTP/AVP', 'unicast', `client_port=${t.clientPorts[0]}-${t.clientPorts[1]}`];
  if (t.kind === 'udp' && serverPorts) parts.push(`server_port=${serverPorts[0]}-${serverPorts[1]}`);
  if (ssrc !== undefined) parts.push(`ssrc=${(ssrc >>> 0).toString(16).toUpperCase().padStart(8, '0')}`);
  if (t.record) parts.push('mode=record');
  return parts.join(';');
}
