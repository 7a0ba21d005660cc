import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The panel's two themes (issue 29, item 12): every colour is a custom property of styles.css,
 * set once for light and once under `prefers-color-scheme: dark`, and the pairs the pages draw
 * meet WCAG 2.1 AA in both: 4.5:1 for text (1.4.3), 3:1 for focus rings and control borders
 * (1.4.11). axe checks the text it finds on each page in Chromium; this checks every pair the
 * stylesheet can put together, hover and focus states included, which axe never sees.
 */
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../panel/src');
const css = readFileSync(join(SRC, 'styles.css'), 'utf8');

/** The declarations `--name: value;` of the first block opening with `opener`. */
export function customProperties(text: string, opener: RegExp): Map<string, string> {
  const m = opener.exec(text);
  if (!m) throw new Error(`no block ${opener}`);
  let depth = 0;
  let end = m.index + m[0].length;
  for (let i = text.indexOf('{', m.index); i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}' && --depth === 0) {
      end = i;
      break;
    }
  }
  const block = text.slice(m.index, end);
  return new Map([...block.matchAll(/(--[\w-]+):\s*([^;]+);/g)].map((d) => [d[1]!, d[2]!.trim()]));
}

/** A `#rgb` or `#rrggbb` colour's relative luminance. @see https://www.w3.org/TR/WCAG21/#dfn-relative-luminance */
export function luminance(hex: string): number {
  const h = hex.replace('#', '');
  const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
  if (!/^[0-9a-f]{6}$/i.test(full)) throw new Error(`not a hex colour: ${hex}`);
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = Number.parseInt(full.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** @see https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

const light = customProperties(css, /^:root\s*\{/m);
const dark = new Map([...light, ...customProperties(css, /@media \(prefers-color-scheme: dark\)\s*\{/)]);

/** Text on a background, as the pages draw it. */
const TEXT: ReadonlyArray<[string, string]> = [
  ['--fg', '--bg'],
  ['--fg', '--surface'],
  ['--fg', '--surface-2'],
  ['--fg', '--warn-bg'],
  ['--fg', '--button-bg'],
  ['--fg', '--button-hover'],
  ['--muted', '--bg'],
  ['--muted', '--surface'],
  ['--muted', '--surface-2'],
  ['--accent', '--bg'],
  ['--accent', '--surface'],
  ['--accent', '--surface-2'],
  ['--accent', '--warn-bg'],
  ['--accent-dark', '--bg'],
  ['--accent-dark', '--surface'],
  ['--danger', '--bg'],
  ['--danger', '--surface-2'],
  ['--danger', '--warn-bg'],
  ['--on-accent', '--accent'],
  ['--on-accent', '--accent-dark'],
  ['--on-accent', '--danger'],
];
/** Focus rings and the borders that show where a control is. */
const NON_TEXT: ReadonlyArray<[string, string]> = [
  ['--focus', '--bg'],
  ['--focus', '--surface'],
  ['--focus', '--warn-bg'],
  ['--control-line', '--bg'],
  ['--control-line', '--surface'],
  ['--warn-line', '--warn-bg'],
];

describe('the panel themes', () => {
  it('set the same custom properties in light and dark, every one a colour', () => {
    const darkOwn = customProperties(css, /@media \(prefers-color-scheme: dark\)\s*\{/);
    const colours = [...light.keys()];
    expect(colours.length).toBeGreaterThanOrEqual(15);
    expect([...darkOwn.keys()].sort()).toEqual(colours.sort());
    expect(light.get('--bg')).not.toBe(dark.get('--bg'));
  });

  for (const [name, theme] of [
    ['light', light],
    ['dark', dark],
  ] as const) {
    it(`meet AA in the ${name} theme: 4.5:1 for text, 3:1 for rings and control borders`, () => {
      const short: string[] = [];
      for (const [pairs, least] of [
        [TEXT, 4.5],
        [NON_TEXT, 3],
      ] as const) {
        for (const [fg, bg] of pairs) {
          const ratio = contrast(theme.get(fg)!, theme.get(bg)!);
          if (ratio < least) short.push(`${fg} on ${bg}: ${ratio.toFixed(2)} < ${least}`);
        }
      }
      expect(short).toEqual([]);
    });
  }

  it('name no colour outside those two blocks, in styles.css or any other stylesheet of the panel', () => {
    const blocks = (text: string): string =>
      text
        .replace(/^:root\s*\{[^}]*\}/m, '')
        .replace(/@media \(prefers-color-scheme: dark\)\s*\{\s*:root\s*\{[^}]*\}\s*\}/, '');
    const found: string[] = [];
    for (const file of readdirSync(SRC).filter((f) => f.endsWith('.css'))) {
      const text = readFileSync(join(SRC, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
      const rest = file === 'styles.css' ? blocks(text) : text;
      for (const m of rest.matchAll(/#[0-9a-f]{3,8}\b|\b(?:rgba?|hsla?)\(/gi)) found.push(`${file}: ${m[0]}`);
    }
    expect(found).toEqual([]);
  });

  it('would catch a pair below AA and a colour named outside the blocks', () => {
    expect(contrast('#777777', '#ffffff')).toBeLessThan(4.5);
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#0b5cad', '#ffffff')).toBeGreaterThan(4.5);
    expect(customProperties(':root { --a: #fff; }\n.x { color: #000; }', /^:root\s*\{/m).get('--a')).toBe('#fff');
  });
});
