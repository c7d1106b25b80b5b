/**
 * Raw socket.io-client helpers for the mock's own tests. socket.io-client is imported only
 * after the first mock started (engine.io-client reads `globalThis.WebSocket` when its module
 * is evaluated; the mock keeps that constructor valid across restarts).
 */
import type { Socket } from 'socket.io-client';
import {
  startMockBackend,
  type MockBackend,
  type MockBackendOptions,
} from '../../src/mocks/index.js';

const opened: Socket[] = [];

export async function connect(
  url: string,
  auth: Record<string, unknown> = { token: 't', agentId: 'agent1' },
): Promise<Socket> {
  const { io } = await import('socket.io-client');
  const socket = io(url, {
    transports: ['websocket'],
    reconnection: false,
    auth,
    forceNew: true,
    timeout: 5000,
  });
  opened.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (e) => reject(e));
  });
  return socket;
}

/** A socket that may fail to connect: resolves with the connect error instead. */
export async function tryConnect(
  url: string,
  auth: Record<string, unknown> = { token: 't' },
): Promise<Error | Socket> {
  try {
    return await connect(url, auth);
  } catch (e) {
    return e as Error;
  }
}

export function request<T = Record<string, unknown>>(
  socket: Socket,
  event: string,
  payload?: unknown,
  timeoutMs = 5000,
): Promise<T> {
  return socket.timeout(timeoutMs).emitWithAck(event, payload) as Promise<T>;
}

/** Resolves with the next `event` payload on `socket` (set up before the action). */
export function next<T = Record<string, unknown>>(
  socket: Socket,
  event: string,
  timeoutMs = 5000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    socket.once(event, (payload: T) => {
      clearTimeout(t);
      resolve(payload);
    });
  });
}

export function disconnected(socket: Socket, timeoutMs = 5000): Promise<string> {
  if (socket.disconnected) return Promise.resolve('already');
  return new Promise((resolve, reject) => {
    const t = setTimeout(
      () => reject(new Error(`no disconnect within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once('disconnect', (reason) => {
      clearTimeout(t);
      resolve(reason);
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let current: MockBackend | undefined;

/** Starts a mock for one test; `cleanup()` in afterEach closes every socket and stops it. */
export async function mock(options: MockBackendOptions = {}): Promise<MockBackend> {
  current = await startMockBackend(options);
  return current;
}

export async function cleanup(): Promise<void> {
  for (const s of opened.splice(0)) s.disconnect();
  await current?.stop();
  current = undefined;
}
