import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INVISIBLE_CHARACTER, normalizeEmail } from '../../src/accounts/email-address';

describe('normalizeEmail', () => {
  it.each([
    ['upper case', 'Ann@Example.TEST', 'ann@example.test'],
    ['surrounding spaces', '  ann@example.test\t', 'ann@example.test'],
    ['fullwidth letters (NFKC)', 'ａｎｎ@ｅｘａｍｐｌｅ.test', 'ann@example.test'],
    ['a ligature (NFKC)', '\uFB01le@example.test', 'file@example.test'],
    ['a decomposed accent (composed by NFKC)', 'a\u0301nn@example.test', 'ánn@example.test'],
  ])('folds %s', (_label, given, expected) => {
    expect(normalizeEmail(given)).toBe(expected);
  });

  it('keeps accents: a look-alike stays another address', () => {
    expect(normalizeEmail('víctim@example.test')).not.toBe(normalizeEmail('victim@example.test'));
  });

  it('is a fixed point: normalising a normalised address changes nothing', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => normalizeEmail(normalizeEmail(text)) === normalizeEmail(text)), { numRuns: 5000 });
    // Characters whose folding NFKC, lower-casing or trimming could undo: each alone and in company.
    for (const text of ['\u0130', '\u00A8x', 'x\u00A8', '\u1E9E', '\u2126', '\u212A', '\u03F4', '\uFF21\u0301', '\u3000a\u3000']) {
      expect(normalizeEmail(normalizeEmail(text)), JSON.stringify(text)).toBe(normalizeEmail(text));
    }
  });
});

describe('INVISIBLE_CHARACTER', () => {
  const hex = (character: string) => character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  it.each(['\u200B', '\u200C', '\u200D', '\u00AD', '\u202A', '\u202E', '\u2066', '\u2069', '\u200E', '\u2060', '\uFEFF', '\u{E0041}', '\u3164', '\u115F', '\uFE0F', '\u034F', '\u00A0', '\u3000', '\u0000', '\u001B', '\u0085', '\u009B', '\uE000', '\uD800'].map((character) => [hex(character), character]))(
    'matches U+%s',
    (_hex, character) => expect(INVISIBLE_CHARACTER.test(`vic${character}tim@example.test`)).toBe(true),
  );

  it('leaves visible letters, accents and punctuation of addresses alone', () => {
    expect(INVISIBLE_CHARACTER.test("víctim.o'brien+tag_1-x@exämple.test")).toBe(false);
  });
});
