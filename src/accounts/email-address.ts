/**
 * E-mail addresses as the gateway keeps and compares them: one spelling per address, compared byte for byte.
 *
 * Every address that enters (sign-up, sign-in, adding a member, and any later feature that takes one) goes
 * through `normalizeEmail` once, before it is stored or looked up. The `agents.email` column then compares
 * exactly on every database (binary collation on MariaDB, see the migration EmailExactMatch), so two
 * spellings find the same account only when this function makes them the same text.
 *
 * NFKC folds compatibility forms (fullwidth letters, ligatures such as "ﬁ") into the letters they stand for,
 * as UTS #39 and RFC 8265 (PRECIS) recommend before comparing identifiers; it leaves accents alone, so
 * "víctim@" and "victim@" stay two addresses. NFKC runs again after lower-casing because lower-casing can
 * undo it (a few capitals lower-case into characters NFKC would fold), and trimming comes last because NFKC
 * can put a space at either end ("¨" becomes a space and a combining diaeresis). The result is a fixed
 * point: normalising a normalised address changes nothing.
 */
export function normalizeEmail(address: string): string {
  return address.normalize('NFKC').toLowerCase().normalize('NFKC').trim();
}

/**
 * Characters that render as nothing or rearrange what is shown, refused in addresses (IsEmailAddress): control
 * (C0, C1), format (zero-width spaces and joiners, soft hyphen, bidi embeddings, overrides and isolates, tags),
 * surrogate and private-use code points, separators (every space), and the rest of Unicode's default-ignorable
 * code points (Hangul fillers, variation selectors, the combining grapheme joiner). An address holding one
 * looks like another address to a person, and some collations ignore them outright.
 */
export const INVISIBLE_CHARACTER = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Z}\p{Default_Ignorable_Code_Point}]/u;
