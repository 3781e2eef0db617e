import { field } from '../dom';
import { PASSWORD_MIN_LENGTH } from '../messages';

/**
 * A new password typed twice (so a typo is caught here, not at the next sign-in), with the gateway's length rule
 * checked before anything is sent.
 */
export function newPasswordFields(label = 'New password'): {
  wrappers: HTMLElement[];
  input: HTMLInputElement;
  /** The problem to show, with the field to point at, or null when the two agree and the length is right. */
  problem(): { text: string; input: HTMLInputElement } | null;
  clear(): void;
} {
  const first = field({ label, type: 'password', name: 'new-password', autocomplete: 'new-password', hint: `At least ${PASSWORD_MIN_LENGTH} characters.` });
  const again = field({ label: `${label}, again`, type: 'password', name: 'new-password-again', autocomplete: 'new-password' });
  return {
    wrappers: [first.wrapper, again.wrapper],
    input: first.input,
    problem() {
      if (first.input.value.length < PASSWORD_MIN_LENGTH) return { text: `Choose a password of at least ${PASSWORD_MIN_LENGTH} characters.`, input: first.input };
      if (first.input.value !== again.input.value) return { text: 'The two passwords differ.', input: again.input };
      return null;
    },
    clear() {
      first.input.value = '';
      again.input.value = '';
    },
  };
}
