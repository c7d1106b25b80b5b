// The liveness part on its own, in virtual time.
import { expect } from '@open-wc/testing';
import { map } from 'rxjs';
import { Liveness } from '../../src/chat/liveness.js';
import { testScheduler } from '../core/marbles.js';

describe('Liveness', () => {
  it('a stranding re-reads at once, then after 1, 2, 4, 8, 8 s, until served again', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const l = new Liveness({ recheckMs: 1000, unreachableMs: 100_000 });
      l.links(true);
      cold('1ms a').subscribe(() => {
        expect(l.notServing('relocated notice')).to.equal(true);
      });
      cold('2ms a').subscribe(() => {
        expect(l.notServing('again')).to.equal(false);
      });
      cold('24000ms a').subscribe(() => {
        expect(l.serving()).to.equal(true);
      });
      expectObservable(l.recheck$.pipe(map(() => 'r')), '^ 40000ms !').toBe(
        '1ms r 999ms r 1999ms r 3999ms r 7999ms r 7999ms r',
      );
    });
  });

  it('says unreachable once per outage after unreachableMs, and again after service came back and was lost', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const l = new Liveness({ unreachableMs: 100 });
      cold('a 299ms b 99ms c', { a: false, b: true, c: false }).subscribe((up) =>
        l.links(up, 'the interaction server is unreachable'),
      );
      expectObservable(l.unreachable$.pipe(map(() => 'u')), '^ 1000ms !').toBe('100ms u 399ms u');
    });
  });

  it('an outage shorter than unreachableMs says nothing; being stranded counts as an outage', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const l = new Liveness({ unreachableMs: 100, recheckMs: 10_000 });
      cold('a 49ms b', { a: false, b: true }).subscribe((up) => l.links(up, 'down'));
      cold('200ms a').subscribe(() => l.notServing('join refused'));
      const said: string[] = [];
      l.unreachable$.subscribe((m) => said.push(m));
      cold('400ms a').subscribe(() => {
        expect(said).to.have.length(1);
        expect(said[0]).to.contain('join refused');
      });
      cold('600ms a').subscribe(() => l.dispose());
      expectObservable(l.unreachable$.pipe(map(() => 'u')), '^ 500ms !').toBe('300ms u');
    });
  });

  it('leaves no timer behind after dispose', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const l = new Liveness({ unreachableMs: 100, recheckMs: 10 });
      l.links(false, 'down');
      l.notServing('x');
      cold('5ms a').subscribe(() => l.dispose());
      cold('6ms a').subscribe(() => {
        expect(l.notServing('after')).to.equal(false);
      });
      expectObservable(l.unreachable$).toBe('5ms |');
    });
  });
});
