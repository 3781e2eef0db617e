import { h, uid } from '../dom';

/** How long typing must pause before the list is asked again: one request per word, not per keystroke. */
const DEBOUNCE_MS = 300;

/** A labelled search field that calls `onSearch` once typing pauses (or on Enter). */
export function searchBox(label: string, onSearch: () => void): { element: HTMLElement; term(): string } {
  const id = uid('search');
  const input = h('input', { type: 'search', id, name: 'search', autocomplete: 'off', spellcheck: 'false', maxlength: 254 });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = '';
  const fire = () => {
    clearTimeout(timer);
    const term = input.value.trim();
    if (term === last) return;
    last = term;
    onSearch();
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(fire, DEBOUNCE_MS);
  });
  const form = h('form', { class: 'search-form', role: 'search' }, h('label', { for: id }, label), input);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    fire();
  });
  return { element: form, term: () => last };
}
