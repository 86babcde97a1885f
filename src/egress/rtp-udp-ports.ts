/** The server's UDP socket pair for RTP and RTCP (RFC 3550 §11: RTP on an even port, RTCP on the next). */
import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';

export interface RtpUdpPorts {
  readonly rtp: dgram.Socket;
  readonly rtcp: dgram.Socket;
  readonly ports: readonly [number, number];
  close(): Promise<void>;
}

/** Binds an even/odd port pair on `host`, trying random pairs in 20000–59998. */
export async function bindRtpUdpPorts(host: string): Promise<RtpUdpPorts> {
  const type = host.includes(':') ? 'udp6' : 'udp4';
  for (let attempt = 0; ; attempt++) {
    const port = randomInt(10000, 30000) * 2;
    const rtp = dgram.createSocket(type);
    const rtcp = dgram.createSocket(type);
    try {
      await bind(rtp, port, host);
      await bind(rtcp, port + 1, host);
    } catch (error) {
      rtp.close();
      rtcp.close();
      if (attempt < 20) continue;
      throw error;
    }
    // Sends to a closed client port raise ICMP errors on some systems; a gone client is found by its timeout.
    rtp.on('error', () => {});
    rtcp.on('error', () => {});
    return {
      rtp,
      rtcp,
      ports: [port, port + 1],
      close: () => Promise.all([closeSocket(rtp), closeSocket(rtcp)]).then(() => {}),
    };
  }
}

function bind(socket: dgram.Socket, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

function closeSocket(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve();
    }
  });
}
