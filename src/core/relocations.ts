import { Observable, asyncScheduler, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { ConnectionStatus } from './state.js';

/** A move from one endpoint to another (chat instance or PCS node), as `ag-relocated` carries it. */
export interface RelocationInfo {
  readonly from: string;
  readonly to: string;
  /** ms between losing the old endpoint and being connected to the new one */
  readonly gapMs: number;
}

/**
 * Turns a connection's status stream into its relocations: every time it is `connected` again
 * at an endpoint other than the one it was last connected to, one {@link RelocationInfo}, with
 * the gap measured on `scheduler` from the first status that left `connected`. A reconnect to
 * the same endpoint is not a relocation. One place for both sessions, so chat and survey count
 * `gapMs` the same way and tests can run it in virtual time.
 *
 * @example
 * connection.status$.pipe(relocations(scheduler)).subscribe((r) => el.dispatchEvent(new AgRelocatedEvent(r)));
 */
export function relocations(
  scheduler: SchedulerLike = asyncScheduler,
): OperatorFunction<ConnectionStatus, RelocationInfo> {
  return (source) =>
    new Observable<RelocationInfo>((subscriber) => {
      let connectedTo: string | undefined;
      let lostAt: number | undefined;
      return source.subscribe({
        next: (s) => {
          const now = scheduler.now();
          if (s.state !== 'connected') {
            if (connectedTo !== undefined && lostAt === undefined) lostAt = now;
            return;
          }
          if (!s.endpoint) return;
          const from = connectedTo;
          const gapMs = Math.max(0, now - (lostAt ?? now));
          connectedTo = s.endpoint;
          lostAt = undefined;
          if (from !== undefined && from !== s.endpoint)
            subscriber.next({ from, to: s.endpoint, gapMs });
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}
