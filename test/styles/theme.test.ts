import { expect } from '@open-wc/testing';
import { themeStyles } from '../../src/styles/theme.js';

/** The rules of `@media (forced-colors: active)` in a theme, parsed by the browser itself. */
function forcedRules(): CSSStyleRule[] {
  const sheet = themeStyles().styleSheet;
  if (!sheet) throw new Error('no constructable stylesheet');
  const media = [...sheet.cssRules].filter(
    (r): r is CSSMediaRule =>
      r instanceof CSSMediaRule && /forced-colors:\s*active/.test(r.conditionText),
  );
  expect(media, 'one forced-colors block').to.have.length(1);
  return [...media[0]!.cssRules].filter((r): r is CSSStyleRule => r instanceof CSSStyleRule);
}

describe('theme: forced colors (high contrast)', () => {
  it('maps every palette token to a system colour, for hosts with and without theme=', () => {
    const host = forcedRules().find((r) => r.selectorText.includes(':host'));
    expect(host, 'a :host rule').to.exist;
    // both selectors together match every host at the specificity of the dark-scheme rule
    expect(host!.selectorText).to.contain(':host([theme])');
    expect(host!.selectorText).to.contain(':host(:not([theme]))');
    const tokens: Record<string, string> = {
      '--_bg': 'Canvas',
      '--_fg': 'CanvasText',
      '--_muted': 'GrayText',
      '--_border': 'CanvasText',
      '--_accent': 'Highlight',
      '--_accent-fg': 'HighlightText',
      '--_danger': 'CanvasText',
      '--_own': 'Canvas',
      '--_other': 'Canvas',
    };
    for (const [name, value] of Object.entries(tokens)) {
      expect(host!.style.getPropertyValue(name).trim(), name).to.equal(value);
    }
  });

  it('outlines focus with Highlight and borders what only a background told apart', () => {
    const rules = forcedRules();
    const focus = rules.find((r) => r.selectorText.includes(':focus-visible'));
    expect(focus?.style.outlineColor).to.equal('highlight');
    const bubbles = rules.find(
      (r) =>
        r.selectorText.includes("[part~='message']") ||
        r.selectorText.includes('[part~="message"]'),
    );
    expect(bubbles?.style.borderStyle).to.equal('solid');
    const controls = rules.find((r) => /^button,/.test(r.selectorText));
    expect(controls?.style.borderColor).to.equal('buttontext');
  });
});
