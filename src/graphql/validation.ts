import { IsEmail, Length, Matches, MaxLength, ValidateBy } from 'class-validator';
import { INVISIBLE_CHARACTER, normalizeEmail } from '../accounts/email-address';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../crypto/passwords';

/** Input limits of the contract's bad-input rule (SECURITY.md, promise 9): checked before any resolver runs, answered as BAD_USER_INPUT. */
export const EMAIL_MAX_LENGTH = 254; // RFC 5321 path limit
export const NAME_MAX_LENGTH = 200;
export const CODE_MAX_LENGTH = 64;

const NO_CONTROL_CHARACTERS = /^[^\p{Cc}]*$/u;
const NOT_BLANK = /\S/;

function combine(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => decorators.forEach((decorate) => decorate(target, key));
}

/**
 * An address as it is sent, and as normalizeEmail makes it: no invisible or formatting character in either
 * (a look-alike of another address), and short enough for the column once normalised (NFKC may lengthen it).
 */
export const IsEmailAddress = () =>
  combine(
    MaxLength(EMAIL_MAX_LENGTH),
    IsEmail({}, { message: 'email must be an email address' }),
    ValidateBy({
      name: 'isVisibleEmailAddress',
      validator: {
        validate: (value) => typeof value === 'string' && !INVISIBLE_CHARACTER.test(value) && isVisibleAndShort(normalizeEmail(value)),
        defaultMessage: () => `email must not contain invisible or formatting characters, and be at most ${EMAIL_MAX_LENGTH} characters`,
      },
    }),
  );

function isVisibleAndShort(normalized: string): boolean {
  return !INVISIBLE_CHARACTER.test(normalized) && Array.from(normalized).length <= EMAIL_MAX_LENGTH;
}

export const IsNewPassword = () =>
  combine(Length(PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH, { message: `password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters` }));

/** A password being checked (sign-in, re-authentication): only bounded, so a wrong one is still just wrong. */
export const IsPassword = () => combine(MaxLength(PASSWORD_MAX_LENGTH));

/**
 * 1 to NAME_MAX_LENGTH code points, as the varchar column counts them. class-validator's Length counts an emoji
 * with its variation selector as one character, so 200 of them (400 code points) would pass and overflow it.
 */
const NAME_LENGTH = new RegExp(`^[\\s\\S]{1,${NAME_MAX_LENGTH}}$`, 'u');

export const IsDisplayName = () =>
  combine(
    Matches(NAME_LENGTH, { message: `$property must be 1 to ${NAME_MAX_LENGTH} characters` }),
    Matches(NOT_BLANK, { message: '$property must not be blank' }),
    Matches(NO_CONTROL_CHARACTERS, { message: '$property must not contain control characters' }),
  );

/** Shown by authenticator apps as `<issuer>:<account>`, so a colon would split it. */
export const IsIssuer = () => combine(IsDisplayName(), Matches(/^[^:]*$/, { message: 'issuer must not contain ":"' }));

/** Up to an email's length in code points; no control characters. Empty matches everyone. */
const SEARCH_LENGTH = new RegExp(`^[\\s\\S]{0,${EMAIL_MAX_LENGTH}}$`, 'u');
export const IsSearchTerm = () =>
  combine(
    Matches(SEARCH_LENGTH, { message: `$property must be at most ${EMAIL_MAX_LENGTH} characters` }),
    Matches(NO_CONTROL_CHARACTERS, { message: '$property must not contain control characters' }),
  );

export const IsCode = () => combine(MaxLength(CODE_MAX_LENGTH));
