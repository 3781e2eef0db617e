import { getMetadataStorage, validate, ValidationError, ValidationTypes, ValidatorOptions } from 'class-validator';
import { ArgumentValidationError } from 'type-graphql';

// Validation errors must not echo what was sent: passwords and codes travel in these arguments.
const OPTIONS: ValidatorOptions = { forbidUnknownValues: false, skipMissingProperties: true, validationError: { target: false, value: false } };

/** What a class's checks look at: the properties with constraints, or 'always' when one must run even when absent. */
type Checked = readonly string[] | 'always';
const checkedByClass = new WeakMap<object, Checked>();

function checkedProperties(type: new () => unknown): Checked {
  let checked = checkedByClass.get(type);
  if (!checked) {
    const metadatas = getMetadataStorage().getTargetValidationMetadatas(type, '', false, false);
    checked = metadatas.some((metadata) => metadata.type === ValidationTypes.IS_DEFINED) ? 'always' : [...new Set(metadatas.map((metadata) => metadata.propertyName))];
    checkedByClass.set(type, checked);
  }
  return checked;
}

/**
 * type-graphql's argument validation (`validateFn`), as its own with the options above, minus its costs on the hot
 * paths: class-validator imported once rather than looked up per argument, and an argument object whose checked
 * properties are all absent is not handed to it (with `skipMissingProperties` it would find nothing to check:
 * `enterWorkspace` without `maxAgeSeconds`). Failures are the same ArgumentValidationError, BAD_USER_INPUT, also
 * when a check throws.
 */
export async function validateArgument(value: unknown): Promise<void> {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    await Promise.all(value.map(validateArgument));
    return;
  }
  const checked = checkedProperties(value.constructor as new () => unknown);
  const record = value as Record<string, unknown>;
  if (checked !== 'always' && checked.every((property) => record[property] === undefined || record[property] === null)) return;
  let errors: ValidationError[];
  try {
    errors = await validate(value, OPTIONS);
  } catch {
    // A check that throws (validator.js on a lone surrogate, say) met input it cannot read: bad input too.
    errors = [Object.assign(new ValidationError(), { constraints: { unreadable: 'an argument could not be checked' } })];
  }
  if (errors.length > 0) throw new ArgumentValidationError(errors);
}
