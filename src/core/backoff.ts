import {
  retry,
  throwError,
  timer,
  asyncScheduler,
  type MonoTypeOperatorFunction,
  type SchedulerLike,
} from 'rxjs';

/** Exponential backoff with jitter and a cap. */
export interface BackoffOptions {
  /** delay of the first retry, before jitter (ms) */
  initialMs?: number;
  /** no delay is ever longer than this, jitter included (ms) */
  maxMs?: number;
  /** growth per attempt */
  factor?: number;
  /** 0..1: the delay is spread over delay × (1 ± jitter). Without jitter every client of a
   *  crashed server comes back at the same instant (thundering herd). */
  jitter?: number;
  /** source of randomness in [0, 1); injectable so tests are deterministic */
  random?: () => number;
}

export const backoffDefaults = { initialMs: 250, maxMs: 5000, factor: 2, jitter: 0.5 } as const;

/**
 * Delay before retry number `attempt` (0-based): `initialMs × factor^attempt`, spread by
 * ±`jitter`, never above `maxMs` and never negative.
 */
export function backoffDelay(attempt: number, o: BackoffOptions = {}): number {
  const initialMs = o.initialMs ?? backoffDefaults.initialMs;
  const maxMs = o.maxMs ?? backoffDefaults.maxMs;
  const factor = o.factor ?? backoffDefaults.factor;
  const jitter = Math.min(1, Math.max(0, o.jitter ?? backoffDefaults.jitter));
  const random = o.random ?? Math.random;
  const base = Math.min(maxMs, initialMs * Math.pow(factor, Math.max(0, attempt)));
  const spread = base * (1 + jitter * (2 * random() - 1));
  return Math.round(Math.min(maxMs, Math.max(0, spread)));
}

export interface RetryBackoffOptions extends BackoffOptions {
  /** retries before the error is passed on (default: unlimited) */
  maxAttempts?: number;
  scheduler?: SchedulerLike;
  /** errors for which this returns false are passed on at once (e.g. unauthorized) */
  shouldRetry?: (error: unknown) => boolean;
}

/**
 * Resubscribes to the source after an error, waiting {@link backoffDelay} on the given scheduler.
 * The attempt counter goes back to 0 whenever the source emits a value, so a connection that
 * worked for a while starts again from the short delay.
 *
 * @example
 * connect$.pipe(retryBackoff({ initialMs: 250, maxMs: 5000, maxAttempts: 10 }))
 */
export function retryBackoff<T>(o: RetryBackoffOptions = {}): MonoTypeOperatorFunction<T> {
  const scheduler = o.scheduler ?? asyncScheduler;
  return retry<T>({
    count: o.maxAttempts ?? Infinity,
    resetOnSuccess: true,
    delay: (error: unknown, retryCount: number) =>
      o.shouldRetry && !o.shouldRetry(error)
        ? throwError(() => error)
        : timer(backoffDelay(retryCount - 1, o), scheduler),
  });
}
