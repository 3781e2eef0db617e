// Threat: text another client wrote (user agents, names, e-mails) steering the terminal or reordering what the
// console shows.
import { describe, expect, it } from 'vitest';
import { forTerminal } from '../../src/cli/tenant-2fa/output';
import { displayText } from '../../web/src/dom';

/** [what, the text inserted, what is left of it: the printable rest of a sequence stays, inert]. */
const HOSTILE: Array<[string, string, string]> = [
  ['an escape sequence', '\u001b[2J\u001b]0;pwned\u0007', '[2J]0;pwned'],
  ['a C1 CSI (byte 0x9B)', '\u009b31m', '31m'],
  ['a C1 OSC and ST', '\u009d0;x\u009c', '0;x'],
  ['DEL', '\u007f', ''],
  ['a carriage return', '\r', ''],
  ['a backspace', '\b', ''],
  ['a right-to-left override and its pop', 'evil\u202e\u202c', 'evil'],
  ['bidi isolates', '\u2066\u2067\u2068\u2069', ''],
  ['marks', '\u200e\u200f\u061c', ''],
  ['zero-width characters', '\u200b\u200c\u200d\u2060\ufeff', ''],
  ['a soft hyphen', '\u00ad', ''],
  ['a tag character', '\u{e0041}', ''],
  ['line and paragraph separators', '\u2028\u2029', ''],
];

describe.each([
  ['the CLI (forTerminal)', forTerminal],
  ['the console (displayText)', displayText],
])('%s', (_side, clean) => {
  it.each(HOSTILE)('drops %s', (_label, hostile, left) => {
    expect(clean(`Acme ${hostile} Support`)).toBe(`Acme ${left} Support`);
  });

  it('keeps letters of every script, accents, emoji and punctuation', () => {
    const text = 'Zoë Ødegård · 李小龍 · עברית · العربية · ✓ 🎉 · o\'brien+tag@example.test (Chrome/126.0; x64)';
    expect(clean(text)).toBe(text);
  });
});

describe('the two sides', () => {
  it('differ only in line breaks and tabs, which the console keeps for text of several lines and the terminal drops from a line', () => {
    expect(forTerminal('a\nb\tc')).toBe('abc');
    expect(displayText('a\nb\tc')).toBe('a\nb\tc');
  });
});
