import { BeginSsoSignInDocument, SsoProviderForDocument } from '../../../src/client/generated/graphql';
import { call } from '../api';
import { busy, h, replace } from '../dom';
import { explain } from '../messages';

/** How long typing pauses before the address is looked up. */
const LOOK_UP_AFTER_MS = 350;

/**
 * Single sign-on on the sign-in page: once the e-mail typed belongs to a domain that a tenant's identity provider
 * serves (ssoProviderFor, which needs no session and says nothing about accounts), a "Continue with <tenant> SSO"
 * button that starts the provider's sign-in (beginSsoSignIn) and sends the browser there. The provider sends it
 * back to the gateway, which signs in and lands on the console's /sso page, then `returnTo`.
 */
export function ssoOffer(email: HTMLInputElement, returnTo: string): { element: HTMLElement; lookUp(): Promise<void> } {
  const element = h('div', { class: 'sso-offer', 'aria-live': 'polite' });
  let asked = 0;
  let shownFor = '';

  const lookUp = async () => {
    const address = email.value.trim();
    if (address === shownFor) return;
    const ask = ++asked;
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address)) return void ((shownFor = ''), element.replaceChildren());
    let tenant: { id: string; name: string } | null = null;
    try {
      tenant = (await call(SsoProviderForDocument, { email: address })).ssoProviderFor;
    } catch {
      tenant = null; // no offer; the password still works where the provider is not required
    }
    if (ask !== asked) return;
    shownFor = address;
    if (!tenant) return void element.replaceChildren();
    const error = h('p', { class: 'form-error', role: 'alert' });
    const button = h('button', { type: 'button', class: 'button button-primary' }, `Continue with ${tenant.name} SSO`);
    const tenantId = tenant.id;
    button.addEventListener('click', async () => {
      error.textContent = '';
      try {
        await busy(element, async () => {
          const { beginSsoSignIn } = await call(BeginSsoSignInDocument, { tenantId, returnTo });
          location.assign(beginSsoSignIn.authorizationUrl);
        });
      } catch (failure) {
        error.textContent = explain(failure, { NOT_FOUND: 'The identity provider could not be reached, or no longer serves this address. Try again, or sign in with your password.' });
      }
    });
    replace(element, h('p', { class: 'muted' }, `${address.slice(address.lastIndexOf('@') + 1)} signs in through ${tenant.name}'s identity provider.`), button, error);
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  email.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void lookUp(), LOOK_UP_AFTER_MS);
  });
  email.addEventListener('change', () => void lookUp());
  if (email.value) void lookUp();
  return { element, lookUp };
}
