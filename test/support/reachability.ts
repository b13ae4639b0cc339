/**
 * Checks that a local service listens on loopback only: this machine's other addresses, and whether a
 * TCP connection to one of them is accepted.
 */
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';

/** This machine's addresses other than loopback (link-local IPv6 is left out: it needs a zone id). */
export function outsideAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((addresses) => addresses ?? [])
    .filter((address) => !address.internal && !address.address.startsWith('fe80'))
    .map((address) => address.address);
}

export async function acceptsConnections(host: string, port: number): Promise<boolean> {
  return await new Promise<boolean>((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    const finish = (reachable: boolean): void => {
      socket.destroy();
      resolve(reachable);
    };
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
    socket.once('timeout', () => finish(false));
  });
}
