import {
  BeginSsoSignInDocument,
  RemoveTenantIdentityProviderDocument,
  SetTenantIdentityProviderDocument,
  TenantIdentityProviderDocument,
  type IdentityProviderPartsFragment,
} from '../../../src/client/generated/graphql';
import { call } from '../api';
import { busy, field, h, replace, uid } from '../dom';
import { explain } from '../messages';

/**
 * The tenant's OpenID Connect identity provider: issuer, client id, the client secret (write-only: never shown,
 * blank keeps the stored one), the e-mail domains it serves, and its three switches. Setting and removing it are
 * OWNER actions that need a recent second factor (`act` asks for it on the page and runs the change again);
 * ADMINs see the settings. "Test sign-in" signs in through the provider in this tab and comes back here.
 */
export function identityProviderSection(options: {
  tenantId: string;
  isOwner: boolean;
  act(work: () => Promise<void>, report: (text: string) => void): Promise<void>;
  changed(message: string): void;
}): { element: HTMLElement; load(): Promise<void> } {
  const title = uid('section');
  const body = h('div', { class: 'card-body' });
  const element = h('section', { class: 'card', 'aria-labelledby': title }, h('div', { class: 'card-header' }, h('h2', { id: title }, 'Single sign-on (identity provider)')), body);

  const render = (provider: IdentityProviderPartsFragment | null) => {
    const callbackUrl = `${location.origin}/sso/callback`;
    const intro = h(
      'p',
      { class: 'note' },
      `Agents of the domains below sign in through your OpenID Connect provider, then this tenant's second factor. At the provider, register a confidential client with the redirect URI ${callbackUrl} and the scopes openid email profile.`,
    );
    if (!options.isOwner) {
      replace(
        body,
        intro,
        provider
          ? h('dl', { class: 'claims' }, [
              [h('dt', null, 'Issuer'), h('dd', null, provider.issuer)],
              [h('dt', null, 'Client id'), h('dd', null, provider.clientId)],
              [h('dt', null, 'Domains'), h('dd', null, provider.emailDomains.join(', '))],
              [h('dt', null, 'Password sign-in for these domains'), h('dd', null, provider.required ? 'refused (SSO required)' : 'allowed')],
              [h('dt', null, 'New agents on first sign-in'), h('dd', null, provider.justInTimeMembers ? 'yes' : 'no')],
              [h('dt', null, "Trust the provider's multi-factor"), h('dd', null, provider.trustProviderMfa ? 'yes' : 'no')],
            ])
          : h('p', null, 'No identity provider is set. Only the owner can set one.'),
      );
      return;
    }
    const issuer = field({ label: 'Issuer', type: 'text', inputmode: 'url', name: 'sso-issuer', value: provider?.issuer, placeholder: 'https://idp.example.com/realms/acme', hint: 'Discovery reads <issuer>/.well-known/openid-configuration.', spellcheck: false, autocapitalize: 'off' });
    const clientId = field({ label: 'Client id', name: 'sso-client-id', value: provider?.clientId, spellcheck: false, autocapitalize: 'off' });
    const clientSecret = field({
      label: 'Client secret',
      type: 'password',
      name: 'sso-client-secret',
      autocomplete: 'new-password',
      required: !provider,
      hint: provider ? 'Write-only: the stored secret is never shown. Leave blank to keep it.' : 'Write-only: it is sealed at rest and never shown again.',
    });
    const domains = field({ label: 'E-mail domains', name: 'sso-domains', value: provider?.emailDomains.join(', '), placeholder: 'acme.example, support.acme.example', hint: 'Comma-separated. Addresses of these domains are offered this sign-in.', spellcheck: false, autocapitalize: 'off' });
    const toggle = (name: string, label: string, checked: boolean | undefined) => {
      const id = uid(name);
      const input = h('input', { type: 'checkbox', id, name, checked: Boolean(checked) });
      return { input, row: h('div', { class: 'checkbox-row' }, input, h('label', { for: id }, label)) };
    };
    const required = toggle('sso-required', 'Require single sign-on: refuse password sign-in for these domains', provider?.required);
    const justInTime = toggle('sso-jit', 'Add new agents on their first sign-in (verified addresses of these domains)', provider?.justInTimeMembers);
    const trustMfa = toggle('sso-trust-mfa', "Trust the provider's multi-factor sign-in instead of this tenant's challenge", provider?.trustProviderMfa);
    const error = h('p', { class: 'form-error', role: 'alert' });
    const save = h('button', { type: 'submit', class: 'button button-secondary' }, provider ? 'Save identity provider' : 'Set identity provider');
    const test = provider ? h('button', { type: 'button', class: 'button button-secondary' }, 'Test sign-in') : null;
    const remove = provider ? h('button', { type: 'button', class: 'button button-danger' }, 'Remove') : null;
    const form = h(
      'form',
      { class: 'stack', novalidate: true },
      intro,
      issuer.wrapper,
      clientId.wrapper,
      clientSecret.wrapper,
      domains.wrapper,
      h('div', { class: 'switches' }, required.row, justInTime.row, trustMfa.row),
      error,
      h('div', { class: 'actions' }, save, test, remove),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      error.textContent = '';
      const emailDomains = domains.input.value.split(/[\s,]+/).map((domain) => domain.trim()).filter(Boolean);
      if (!issuer.input.value.trim()) return void (error.textContent = 'Enter the issuer.');
      if (!clientId.input.value.trim()) return void (error.textContent = 'Enter the client id.');
      if (!provider && !clientSecret.input.value) return void (error.textContent = 'Enter the client secret.');
      if (!emailDomains.length) return void (error.textContent = 'Enter at least one e-mail domain.');
      void options.act(
        async () => {
          await busy(form, () =>
            call(SetTenantIdentityProviderDocument, {
              tenantId: options.tenantId,
              provider: {
                issuer: issuer.input.value.trim(),
                clientId: clientId.input.value.trim(),
                clientSecret: clientSecret.input.value,
                emailDomains,
                required: required.input.checked,
                justInTimeMembers: justInTime.input.checked,
                trustProviderMfa: trustMfa.input.checked,
              },
            }),
          );
          // Write-only: the secret leaves the page as soon as the gateway holds it, not only when the card reloads.
          clientSecret.input.value = '';
          options.changed('The identity provider is saved.');
          await load();
        },
        (text) => (error.textContent = text),
      );
    });
    test?.addEventListener('click', async () => {
      error.textContent = '';
      try {
        const { beginSsoSignIn } = await busy(form, () => call(BeginSsoSignInDocument, { tenantId: options.tenantId, returnTo: `/admin/${options.tenantId}` }));
        location.assign(beginSsoSignIn.authorizationUrl);
      } catch (failure) {
        error.textContent = explain(failure, { NOT_FOUND: 'The identity provider could not be reached: check the issuer.' });
      }
    });
    remove?.addEventListener('click', () => {
      error.textContent = '';
      void options.act(
        async () => {
          await busy(form, () => call(RemoveTenantIdentityProviderDocument, { tenantId: options.tenantId }));
          options.changed('The identity provider is removed: its domains sign in with passwords again.');
          await load();
        },
        (text) => (error.textContent = text),
      );
    });
    replace(body, form);
  };

  const load = async () => {
    const { tenant } = await call(TenantIdentityProviderDocument, { tenantId: options.tenantId });
    render(tenant?.identityProvider ?? null);
  };
  return { element, load };
}
