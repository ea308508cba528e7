import { connect, createServer, type Server, type Socket } from "node:net";

/** Local TCP servers a test opened, so `closeServers()` can end them and their sockets. */
const opened: { server: Server; sockets: Set<Socket> }[] = [];

/**
 * Starts a TCP server on a free loopback port; `onSocket` gets each accepted socket and the
 * set of sockets to end with it (add upstream connections of a proxy there).
 *
 * @example
 * ```ts
 * const port = await listen(() => {}); // accepts and never answers
 * ```
 */
export async function listen(
  onSocket: (socket: Socket, sockets: Set<Socket>) => void,
  options: { allowHalfOpen?: boolean } = {},
): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: options.allowHalfOpen ?? false }, (socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    onSocket(socket, sockets);
  });
  opened.push({ server, sockets });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as { port: number }).port;
}

/**
 * A server that accepts connections and never answers: the case a connect timeout that
 * covers only TCP misses.
 *
 * @example
 * ```ts
 * const port = await silentServer();
 * await openBackend(`redis://127.0.0.1:${port}`); // must fail within its timeout
 * ```
 */
export function silentServer(): Promise<number> {
  return listen(() => {});
}

/**
 * Ends every server `listen` started in this process, with their sockets (for `afterAll`).
 *
 * @example
 * ```ts
 * afterAll(() => closeServers());
 * ```
 */
export function closeServers(): void {
  for (const { server, sockets } of opened.splice(0)) {
    for (const socket of sockets) socket.destroy();
    server.close();
  }
}

/**
 * Settles `promise` into its error (or `undefined`) and how long it took, failing after
 * `boundMs` instead of hanging the test; a value with `close()` (an opened backend) is closed.
 *
 * @example
 * ```ts
 * const { err, ms } = await settle(openBackend(url));
 * expect(ms).toBeLessThan(3000);
 * ```
 */
export async function settle(promise: Promise<unknown>, boundMs = 20_000): Promise<{ err: unknown; ms: number }> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${boundMs} ms`)), boundMs);
  });
  try {
    const value = await Promise.race([promise, bound]);
    if (value && typeof (value as { close?: unknown }).close === "function")
      await (value as { close(): Promise<void> }).close();
    return { err: undefined, ms: Date.now() - started };
  } catch (err) {
    return { err, ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A TCP proxy to `host:port` that can stall: `stall()` stops reading both ways while the
 * connections stay open — a server that stopped answering, as a stopped process or a
 * congested link leaves it — and `resume()` lets everything held meanwhile through, in
 * order (so a client matching replies to commands in order stays in step).
 *
 * @example
 * ```ts
 * const proxy = await stallableProxy("127.0.0.1", 6379);
 * const backend = await openRedisBackend({ url: `redis://127.0.0.1:${proxy.port}`, commandTimeoutMs: 500 });
 * proxy.stall(); // commands now time out
 * ```
 */
export async function stallableProxy(
  host: string,
  port: number,
): Promise<{ port: number; stall(): void; resume(): void }> {
  let stalled = false;
  const live = new Set<Socket>();
  const proxyPort = await listen((socket, sockets) => {
    const upstream = connect(port, host);
    sockets.add(upstream);
    upstream.on("error", () => socket.destroy());
    socket.on("close", () => upstream.destroy());
    upstream.on("close", () => socket.destroy());
    socket.pipe(upstream);
    upstream.pipe(socket);
    // After pipe(), which resumes its source: a connection opened during a stall stalls too.
    for (const end of [socket, upstream]) {
      live.add(end);
      end.on("close", () => live.delete(end));
      if (stalled) end.pause();
    }
  });
  return {
    port: proxyPort,
    stall: () => {
      stalled = true;
      for (const end of live) end.pause();
    },
    resume: () => {
      stalled = false;
      for (const end of live) end.resume();
    },
  };
}
