import { isFinessePresent } from './finesse-types.js';

/** `finesse` when finesse.js is loaded, else `standalone`; an explicit choice wins. */
export function detectHostKind(requested?: string | null): 'finesse' | 'standalone' {
  if (requested === 'finesse' || requested === 'standalone') return requested;
  return isFinessePresent() ? 'finesse' : 'standalone';
}
