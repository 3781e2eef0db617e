/**
 * A small element builder. Text always goes in as text nodes (never innerHTML), so tenant names, emails and
 * error messages cannot inject markup; and it goes in as displayText makes it, as do attribute values (a
 * tooltip holding a session's user agent), so what other clients wrote cannot reorder or hide what is shown.
 */
export type Child = Node | string | number | null | undefined | false | Child[];

type Handler = (event: Event) => void;
export type Props = Record<string, string | number | boolean | Handler | null | undefined>;

/**
 * Controls other than line breaks and tabs (C0, DEL, C1) and format characters (bidi embeddings, overrides and
 * isolates, zero-width characters, soft hyphens), and the Unicode line and paragraph separators: what a name,
 * an e-mail or a user agent could carry to make "Acme\u202Enimda" read as another text than it is.
 */
const UNSAFE_FOR_DISPLAY = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\p{Cf}\u2028\u2029]/gu;

/** Text as the console shows it: without the characters above. */
export function displayText(text: string): string {
  return text.replace(UNSAFE_FOR_DISPLAY, '');
}

/** Properties set as DOM properties rather than attributes (their live value, not the default). */
const PROPERTIES = new Set(['value', 'checked', 'disabled']);

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') {
      element.addEventListener(key.replace(/^on/, ''), value);
    } else if (PROPERTIES.has(key)) {
      (element as unknown as Record<string, unknown>)[key] = value;
    } else {
      element.setAttribute(key, value === true ? '' : displayText(String(value)));
    }
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(typeof child === 'object' ? child : document.createTextNode(displayText(String(child))));
  }
}

/** Replaces everything inside `parent`. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

let idCounter = 0;
/** A unique id for label/aria wiring. */
export function uid(prefix: string): string {
  return `${prefix}-${++idCounter}`;
}

/** Moves focus somewhere a screen reader will announce (headings get tabindex=-1 for this). */
export function focus(element: HTMLElement | null | undefined): void {
  if (!element) return;
  if (!element.hasAttribute('tabindex') && !/^(INPUT|BUTTON|SELECT|TEXTAREA|A|SUMMARY)$/.test(element.tagName)) {
    element.setAttribute('tabindex', '-1');
  }
  element.focus();
}

/** A labelled input with an optional hint; returns the wrapper and the input. */
export function field(options: {
  label: string;
  type?: string;
  name: string;
  autocomplete?: string;
  inputmode?: string;
  pattern?: string;
  maxlength?: number;
  placeholder?: string;
  hint?: string;
  required?: boolean;
  value?: string;
  spellcheck?: boolean;
  autocapitalize?: string;
  className?: string;
}): { wrapper: HTMLDivElement; input: HTMLInputElement } {
  const id = uid(options.name);
  const hintId = options.hint ? `${id}-hint` : undefined;
  const input = h('input', {
    id,
    name: options.name,
    type: options.type ?? 'text',
    autocomplete: options.autocomplete,
    inputmode: options.inputmode,
    pattern: options.pattern,
    maxlength: options.maxlength,
    placeholder: options.placeholder,
    required: options.required ?? true,
    value: options.value,
    spellcheck: options.spellcheck === false ? 'false' : undefined,
    autocapitalize: options.autocapitalize,
    'aria-describedby': hintId,
    class: options.className,
  });
  const wrapper = h('div', { class: 'field' }, h('label', { for: id }, options.label), options.hint ? h('p', { class: 'hint', id: hintId }, options.hint) : null, input);
  return { wrapper, input };
}

/**
 * The error line of a form: present (empty) from the start so screen readers announce what is written into
 * it; `show` also marks the offending input invalid and points it at the message.
 */
export function formError(): { element: HTMLParagraphElement; show(text: string, input?: HTMLInputElement): void; clear(): void } {
  const element = h('p', { class: 'form-error', role: 'alert', id: uid('error') });
  let marked: HTMLInputElement | undefined;
  const clear = () => {
    element.textContent = '';
    if (marked) {
      marked.removeAttribute('aria-invalid');
      const described = (marked.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id && id !== element.id);
      if (described.length) marked.setAttribute('aria-describedby', described.join(' '));
      else marked.removeAttribute('aria-describedby');
      marked = undefined;
    }
  };
  return {
    element,
    clear,
    show(text, input) {
      clear();
      element.textContent = displayText(text);
      if (input) {
        marked = input;
        input.setAttribute('aria-invalid', 'true');
        const described = (input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
        input.setAttribute('aria-describedby', [...described, element.id].join(' '));
        input.focus();
        input.select();
      }
    },
  };
}

/** Disables a form's controls while `work` runs, marking it busy. */
export async function busy<T>(form: HTMLElement, work: () => Promise<T>): Promise<T> {
  const controls = Array.from(form.querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLSelectElement>('button, input, select'));
  const wasDisabled = controls.map((control) => control.disabled);
  const focused = document.activeElement as HTMLElement | null;
  form.setAttribute('aria-busy', 'true');
  controls.forEach((control) => (control.disabled = true));
  try {
    return await work();
  } finally {
    form.removeAttribute('aria-busy');
    controls.forEach((control, index) => (control.disabled = wasDisabled[index]));
    // Disabling the pressed button dropped focus to <body>; give it back unless the work moved it elsewhere.
    if (focused?.isConnected && (document.activeElement === document.body || document.activeElement === null)) focused.focus();
  }
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

export function formatDate(iso: string): string {
  return dateOnly.format(new Date(iso));
}

/** A <time> element showing `iso` in the reader's locale. */
export function time(iso: string, withTime = true): HTMLTimeElement {
  return h('time', { datetime: iso }, withTime ? formatDateTime(iso) : formatDate(iso));
}

/** Copies text to the clipboard; falls back to a hidden textarea where the Clipboard API is not available. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = h('textarea', { class: 'visually-hidden', 'aria-hidden': 'true' });
    area.value = text;
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}
