// Request/answer over a Node IPC channel (child_process.fork). Both the supervisor and its
// children use it: `call(target, method, params)` resolves with the other side's answer;
// handlers registered with `serve` answer calls. Plain messages without `rpc` pass through to
// `onMessage` (ready, stats).

/**
 * A ChildProcess or `process`: anything with IPC `send` and `on('message')`.
 * @typedef {{ send?: Function, on: Function }} Channel
 */

let nextId = 1;
const pending = new Map();

/**
 * @param {Channel | null} channel a ChildProcess or `process` (null: not started, unavailable)
 * @param {string} method
 * @param {unknown} params
 * @param {number} timeoutMs
 */
export function call(channel, method, params = {}, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    if (!channel) {
      reject(
        Object.assign(new Error(`${method}: the process is not running`), { code: 'unavailable' }),
      );
      return;
    }
    const id = `${process.pid}-${nextId++}`;
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(
        Object.assign(new Error(`${method}: no answer within ${timeoutMs} ms`), {
          code: 'timeout',
        }),
      );
    }, timeoutMs);
    pending.set(id, { channel, method, resolve, reject, timer });
    const failed = (e) => {
      clearTimeout(timer);
      pending.delete(id);
      reject(Object.assign(new Error(`${method}: ${e.message}`), { code: 'unavailable' }));
    };
    try {
      // With a callback, a send to a process that is dying (EPIPE, channel closed) fails this
      // call instead of emitting an unhandled 'error' on the ChildProcess, which would take
      // the whole supervisor down with it.
      channel.send?.({ rpc: 'call', id, method, params }, (e) => {
        if (e) failed(e);
      });
    } catch (e) {
      failed(e);
    }
  });
}

/**
 * Fails every call still waiting on `channel` (its process exited): a SIGKILLed child never
 * answers, and its callers should hear so now rather than at their timeout.
 */
/** @param {Channel} channel */
export function abandon(channel, reason = 'the process exited') {
  for (const [id, p] of pending) {
    if (p.channel !== channel) continue;
    pending.delete(id);
    clearTimeout(p.timer);
    p.reject(Object.assign(new Error(`${p.method}: ${reason}`), { code: 'unavailable' }));
  }
}

/**
 * Routes IPC messages arriving on `channel`: answers to our calls, calls to `handlers`,
 * anything else to `onMessage`.
 * @param {Channel} channel
 * @param {Record<string, (params: any) => unknown>} handlers
 * @param {(msg: any) => void} [onMessage]
 */
export function serve(channel, handlers, onMessage = () => {}) {
  channel.on('message', async (msg) => {
    if (!msg || typeof msg !== 'object') return;
    if (msg.rpc === 'answer') {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.error)
        p.reject(Object.assign(new Error(msg.error.message), { code: msg.error.code }));
      else p.resolve(msg.result);
      return;
    }
    if (msg.rpc === 'call') {
      const handler = handlers[msg.method];
      let answer;
      try {
        if (!handler)
          throw Object.assign(new Error(`unknown method ${msg.method}`), { code: 'bad-request' });
        answer = { rpc: 'answer', id: msg.id, result: (await handler(msg.params ?? {})) ?? null };
      } catch (e) {
        answer = {
          rpc: 'answer',
          id: msg.id,
          error: { code: e.code ?? 'internal', message: String(e.message ?? e) },
        };
      }
      try {
        channel.send?.(answer, () => {
          /* an answer the other side can no longer receive is dropped */
        });
      } catch {
        /* the other side is gone */
      }
      return;
    }
    onMessage(msg);
  });
}

/** An Error whose `code` is a ServerErrorCode, for `{ ok: false, error }` answers. */
export function fault(code, message) {
  return Object.assign(new Error(message), { code });
}
