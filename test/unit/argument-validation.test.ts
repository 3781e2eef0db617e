import 'reflect-metadata';
import { IsDefined, IsEmail, Max, Min } from 'class-validator';
import { ArgumentValidationError } from 'type-graphql';
import { describe, expect, it } from 'vitest';
import { validateArgument } from '../../src/graphql/argument-validation';

class OptionalBound {
  @Min(0) @Max(10) limit?: number | null;
  note?: string;
}

class Address {
  @IsEmail() email?: string;
}

class RequiredField {
  @IsDefined() id?: string;
}

const of = <T extends object>(type: new () => T, values: Partial<T>): T => Object.assign(new type(), values);

describe('argument validation (validateFn)', () => {
  it('checks a present property and refuses it with ArgumentValidationError, echoing nothing sent', async () => {
    const error = await validateArgument(of(OptionalBound, { limit: 11 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArgumentValidationError);
    expect(JSON.stringify((error as ArgumentValidationError).extensions)).not.toContain('11');
    await expect(validateArgument(of(OptionalBound, { limit: 10 }))).resolves.toBeUndefined();
  });

  it('passes an object whose checked properties are absent or null, whatever else it holds', async () => {
    await expect(validateArgument(of(OptionalBound, { note: 'x' }))).resolves.toBeUndefined();
    await expect(validateArgument(of(OptionalBound, { limit: null }))).resolves.toBeUndefined();
  });

  it('still runs a class whose check must hold when the property is absent (IsDefined)', async () => {
    await expect(validateArgument(of(RequiredField, {}))).rejects.toBeInstanceOf(ArgumentValidationError);
    await expect(validateArgument(of(RequiredField, { id: 'a' }))).resolves.toBeUndefined();
  });

  it('refuses as bad input what a check throws on (a lone surrogate in an address), not as an internal error', async () => {
    await expect(validateArgument(of(Address, { email: 'a\ud878b@example.com' }))).rejects.toBeInstanceOf(ArgumentValidationError);
  });

  it('checks each object of a list, and leaves scalars alone', async () => {
    await expect(validateArgument([of(OptionalBound, { limit: 1 }), of(OptionalBound, { limit: -1 })])).rejects.toBeInstanceOf(ArgumentValidationError);
    await expect(validateArgument('a string')).resolves.toBeUndefined();
    await expect(validateArgument(null)).resolves.toBeUndefined();
  });
});
