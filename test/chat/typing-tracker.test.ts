// The typing parts on their own, in virtual time.
import { expect } from '@open-wc/testing';
import { map } from 'rxjs';
import { TypingThrottle, TypingTracker } from '../../src/chat/typing-tracker.js';
import { testScheduler } from '../core/marbles.js';

describe('TypingTracker (incoming)', () => {
  it('expires an indicator without news after expireMs; news restarts the clock', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const t = new TypingTracker({ expireMs: 100 });
      cold('a 49ms b 29ms c', { a: 'x', b: 'y', c: 'x' }).subscribe((id) => t.update(id, true));
      // y started at 50 → expires at 150; x renewed at 80 → expires at 180
      expectObservable(t.expired$, '^ 300ms !').toBe('150ms y 29ms x', { x: 'x', y: 'y' });
      flush();
      expect(t.ids).to.deep.equal([]);
    });
  });

  it('reports changes: start, stop, a stop for someone not typing is no change', () => {
    const t = new TypingTracker();
    expect(t.update('x', true)).to.equal(true);
    expect(t.ids).to.deep.equal(['x']);
    expect(t.update('x', false)).to.equal(true);
    expect(t.update('x', false)).to.equal(false);
    t.update('a', true);
    t.update('b', true);
    expect(t.keepOnly((id) => id === 'b')).to.equal(true);
    expect(t.ids).to.deep.equal(['b']);
    expect(t.keepOnly(() => true)).to.equal(false);
    t.dispose();
  });

  it('a stopped or cleared indicator never expires later', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const t = new TypingTracker({ expireMs: 50 });
      cold('a', { a: 'x' }).subscribe(() => t.update('x', true));
      cold('a', { a: 'y' }).subscribe(() => t.update('y', true));
      cold('10ms a').subscribe(() => t.update('x', false));
      cold('20ms a').subscribe(() => t.clear());
      expectObservable(t.expired$, '^ 200ms !').toBe('');
    });
  });
});

describe('TypingThrottle (outgoing)', () => {
  it('says typing: true at most once per throttleMs and typing: false after idleMs of quiet', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const t = new TypingThrottle({ throttleMs: 100, idleMs: 60 });
      const said: boolean[] = [];
      // keystrokes at 0, 30, 60, 110: 0 says true, 110 says true again (>= 100 after 0)
      cold('a 29ms a 29ms a 49ms a').subscribe(() => said.push(t.input()));
      cold('300ms a').subscribe(() => {
        expect(said).to.deep.equal([true, false, false, true]);
      });
      expectObservable(t.idle$.pipe(map(() => 'f')), '^ 400ms !').toBe('170ms f');
    });
  });

  it('stop() says typing: false only after a typing: true, and cancels the idle timer', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const t = new TypingThrottle({ idleMs: 50 });
      expect(t.stop()).to.equal(false);
      const stops: boolean[] = [];
      cold('a').subscribe(() => t.input());
      cold('10ms a 9ms a').subscribe(() => stops.push(t.stop()));
      cold('100ms a').subscribe(() => {
        expect(stops).to.deep.equal([true, false]);
      });
      expectObservable(t.idle$, '^ 200ms !').toBe('');
    });
  });

  it('uses the defaults (2 s throttle, 3 s idle) and leaves no timer after dispose', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const t = new TypingThrottle();
      const said: boolean[] = [];
      cold('a 1998ms a a').subscribe(() => said.push(t.input()));
      cold('2500ms a').subscribe(() => {
        expect(said).to.deep.equal([true, false, true]);
      });
      expectObservable(t.idle$.pipe(map(() => 'f')), '^ 6000ms !').toBe('5000ms f');
      const d = new TypingThrottle({ idleMs: 10 });
      cold('a').subscribe(() => d.input());
      cold('5ms a').subscribe(() => d.dispose());
      expectObservable(d.idle$).toBe('5ms |');
    });
  });
});
