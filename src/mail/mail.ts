import type { Clock } from '../clock';
import type { Config } from '../config';
import type { SecretBox } from '../crypto/secret-box';
import type { Database } from '../db/database';
import type { PublicUrl } from '../http/public-url';
import { MailSender } from './mail-sender';
import { createMailTransport } from './mail-transport';
import { MailOutbox } from './outbox';
import { bindSecurityNotices, SecurityNotices } from './security-notices';

/**
 * E-mail as the composition root wires it: the outbox (the MailQueue services write to), the security notices,
 * and the sender, which the server starts once it listens and stops on close.
 */
export function createMail(
  db: Database,
  config: Pick<Config, 'mail' | 'dataDir' | 'isProduction'>,
  clock: Clock,
  secretBox: SecretBox,
  publicUrl: PublicUrl,
) {
  const isOff = config.mail.delivery === 'off';
  const queue = new MailOutbox(secretBox, isOff);
  const notices = new SecurityNotices(queue);
  bindSecurityNotices(db, notices);
  const transport = isOff
    ? null
    : createMailTransport(config.mail, {
        dataDir: config.dataDir,
        isProduction: config.isProduction,
        messageId: (id) => `<${id}@${new URL(publicUrl.base).hostname}>`,
      });
  const sender = new MailSender(db, clock, secretBox, transport, publicUrl, config.mail.pollIntervalMs);
  queue.onEnqueued(() => sender.wake());
  return { queue, notices, sender };
}
