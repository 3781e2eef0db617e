import { AccountService } from './accounts/account.service';
import { EmailVerificationService } from './accounts/email-verification.service';
import { PasswordService } from './accounts/password.service';
import { SignUpService } from './accounts/sign-up.service';
import { InvitationService } from './invitations/invitation.service';
import { AdminService } from './admin/admin.service';
import { DeviceSignInService } from './device-sign-in/device-sign-in.service';
import type { Clock } from './clock';
import type { Config } from './config';
import { SecretBox } from './crypto/secret-box';
import { PublicUrl } from './http/public-url';
import type { Database } from './db/database';
import { createMail } from './mail/mail';
import { ClientRateLimiter } from './rate-limits/client-rate-limiter';
import { RememberedDeviceService } from './remembered-devices/remembered-device.service';
import { TenancyService } from './tenancy/tenancy.service';
import { AnswerService } from './two-factor/answer.service';
import { ChallengeStore } from './two-factor/challenge-store';
import { EnrolmentService } from './two-factor/enrolment.service';
import { EntryService } from './two-factor/entry.service';
import { PasskeyAssertionService } from './two-factor/factors/passkey/passkey-assertion.service';
import { PasskeyEnrolmentService } from './two-factor/factors/passkey/passkey-enrolment.service';
import { createSecondFactors } from './two-factor/factors/registry';
import { TotpEnrolmentService } from './two-factor/factors/totp/totp-enrolment.service';
import { GateService } from './two-factor/gate.service';
import { ReauthenticationService } from './two-factor/reauthentication.service';
import { RecoveryCodeStore } from './two-factor/factors/recovery-code/recovery-code-store';
import { RecoveryCodeViewService } from './two-factor/factors/recovery-code/recovery-code-view.service';
import { ignoreEvents, TwoFactorEventSink } from './two-factor/two-factor-events';
import { REAUTH_MAX_FAILURES } from './two-factor/limits';
import { AccessTokenService } from './tokens/access-token.service';
import { SigningKeyStore } from './tokens/signing-keys';
import { IdentityProviderService } from './sso/identity-provider.service';
import { IdentityProviderStore } from './sso/identity-provider-store';
import { OidcClient } from './sso/oidc-client';
import { SsoRequiredDomains } from './sso/sso-requirement';
import { SsoSignInService } from './sso/sso-sign-in.service';

/** The composition root: every service, built once per gateway and shared by all requests. */
export function createServices(
  db: Database,
  config: Pick<Config, 'encryptionKeys' | 'sessionTtlMs' | 'rateLimits' | 'webauthn' | 'publicUrl' | 'mail' | 'dataDir' | 'isProduction' | 'accessTokens' | 'signUp' | 'privilegedMaxAgeSeconds'>,
  clock: Clock,
  onTwoFactorEvent: TwoFactorEventSink = ignoreEvents,
) {
  const publicUrl = new PublicUrl(config.publicUrl);
  const secretBox = new SecretBox(config.encryptionKeys);
  const mail = createMail(db, config, clock, secretBox, publicUrl);
  const recoveryCodes = new RecoveryCodeStore(secretBox);
  const identityProviderStore = new IdentityProviderStore(db, secretBox);
  const oidcClient = new OidcClient(!config.isProduction);
  const accounts = new AccountService(db, clock, config.sessionTtlMs, mail.notices, new SsoRequiredDomains(db, identityProviderStore, publicUrl));
  const gate = new GateService(clock, config.privilegedMaxAgeSeconds);
  const rateLimiter = new ClientRateLimiter(
    db,
    clock,
    {
      'sign-in': config.rateLimits.signInPerMinute,
      answer: config.rateLimits.answersPerMinute,
      'tenant-change': config.rateLimits.tenantChangesPerHour,
      reauthentication: config.rateLimits.reauthPerMinute,
      'password-check': REAUTH_MAX_FAILURES,
      'account-mail': config.rateLimits.accountMailsPerHour,
      'user-code': config.rateLimits.userCodesPerMinute,
    },
    onTwoFactorEvent,
  );
  const reauth = new ReauthenticationService(db, clock, rateLimiter);
  const passkeyEnrolment = new PasskeyEnrolmentService(db, clock, gate, reauth, recoveryCodes, config.webauthn);
  const passkeyAssertions = new PasskeyAssertionService(db, clock, config.webauthn);
  const factors = createSecondFactors({ secretBox, recoveryCodes, passkeyAssertions });
  const tenancy = new TenancyService(db, clock, gate, factors, mail.queue);
  const enrolment = new EnrolmentService(db, clock, reauth, recoveryCodes, factors);
  const totpEnrolment = new TotpEnrolmentService(db, clock, gate, reauth, secretBox, recoveryCodes, onTwoFactorEvent);
  const challengeStore = new ChallengeStore(db);
  const rememberedDevices = new RememberedDeviceService(db, clock);
  const entry = new EntryService(db, clock, gate, tenancy, enrolment, challengeStore, rememberedDevices, onTwoFactorEvent);
  const answers = new AnswerService(db, clock, challengeStore, factors, rememberedDevices, onTwoFactorEvent);
  const admin = new AdminService(db, clock, enrolment);
  const recoveryCodeView = new RecoveryCodeViewService(db, clock, reauth, recoveryCodes);
  const invitations = new InvitationService(db, clock, mail.queue);
  const emailVerification = new EmailVerificationService(db, clock, mail.queue, rateLimiter);
  const signUp = new SignUpService(db, clock, config.signUp, accounts, emailVerification, invitations);
  const passwords = new PasswordService(db, clock, accounts, reauth, rateLimiter, mail.queue, mail.notices, gate);
  const signingKeys = new SigningKeyStore(db, secretBox, clock, config.accessTokens.signingKeyMaxAgeDays * 86_400_000);
  const accessTokens = new AccessTokenService(db, clock, gate, tenancy, signingKeys, publicUrl, config.accessTokens);
  const deviceSignIn = new DeviceSignInService(db, clock, accounts, gate, rateLimiter, publicUrl);
  const identityProviders = new IdentityProviderService(db, clock, gate, secretBox, identityProviderStore, oidcClient, config.isProduction);
  const ssoSignIn = new SsoSignInService(db, clock, secretBox, identityProviderStore, oidcClient, accounts, publicUrl);
  return {
    db,
    clock,
    publicUrl,
    secretBox,
    mail,
    accounts,
    signUp,
    emailVerification,
    passwords,
    invitations,
    gate,
    reauth,
    tenancy,
    enrolment,
    totpEnrolment,
    entry,
    answers,
    rememberedDevices,
    admin,
    rateLimiter,
    recoveryCodeView,
    passkeyEnrolment,
    passkeyAssertions,
    signingKeys,
    accessTokens,
    deviceSignIn,
    identityProviders,
    ssoSignIn,
  };
}

export type Services = ReturnType<typeof createServices>;
