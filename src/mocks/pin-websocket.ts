/**
 * Keeps one WebSocket constructor valid across mock restarts.
 *
 * msw's WebSocket interceptor replaces `globalThis.WebSocket` with a fresh Proxy on every
 * `worker.start()` and restores the native class on `stop()`. engine.io-client reads
 * `globalThis.WebSocket` once, when its module is evaluated, so a page that starts the mock,
 * loads socket.io-client, stops the mock and starts it again would hold the first, dead Proxy:
 * its connections would silently go to the real network. Tests start and stop the mock per
 * test, so this is the normal case, not an edge case.
 *
 * The fix: after msw has installed its Proxy, put a stable trampoline in front of it. The
 * trampoline always constructs through whatever msw currently provides (or the native class
 * while the mock is stopped). It is installed once per page and is a plain Proxy of the native
 * class, so `WebSocket.OPEN` and friends still work.
 */

let nativeWebSocket: typeof WebSocket | undefined;
let current: typeof WebSocket | undefined;
let trampoline: typeof WebSocket | undefined;

/** Call right after `worker.start()`: routes `new WebSocket()` through msw's current Proxy. */
export function pinWebSocket(): void {
  const installed = globalThis.WebSocket;
  if (installed === trampoline && trampoline) return;
  nativeWebSocket ??= installed;
  current = installed;
  trampoline ??= new Proxy(nativeWebSocket, {
    construct(_target, args: ConstructorParameters<typeof WebSocket>) {
      const ctor = current ?? nativeWebSocket!;
      return Reflect.construct(ctor, args) as object;
    },
  });
  Object.defineProperty(globalThis, 'WebSocket', {
    value: trampoline,
    configurable: true,
    writable: true,
  });
}

/**
 * Call right after `worker.stop()` (which put the native class back): sockets created through
 * a captured trampoline now reach the real network, exactly as if the mock had never run.
 */
export function unpinWebSocket(): void {
  current = undefined;
}
