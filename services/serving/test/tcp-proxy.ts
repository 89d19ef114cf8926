import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** A port that was free a moment ago (for child processes that need a fixed port). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface TcpProxy {
  readonly port: number;
  /** Listens again on the same port (the dependency is "back"). */
  open: () => Promise<void>;
  /** Cuts every open connection and stops listening (the dependency is "down" without being stopped). */
  cut: () => Promise<void>;
}

/** A TCP proxy in front of a real server (Redis) that a test can cut and restore. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const open = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(target.port, target.host);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as AddressInfo).port;
        resolve();
      });
    });
  const cut = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      if (!server?.listening) return resolve();
      server.close(() => resolve());
    });
  await open();
  return {
    get port() {
      return port;
    },
    open,
    cut,
  };
}
