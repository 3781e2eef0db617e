import type { IncomingMessage } from 'node:http';

const MAX_BODY_BYTES = 100 * 1024;

/** The request body as text, refused with 413 past MAX_BODY_BYTES. */
export function readBodyText(req: IncomingMessage): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume(); // drain what is still coming, then answer 413
        reject(Object.assign(new Error('Request body too large'), { status: 413 }));
      } else {
        chunks.push(chunk);
      }
    });
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

/** The request body as Apollo expects it: parsed JSON for JSON requests, nothing for GETs. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  if (req.method !== 'POST') return undefined;
  const text = await readBodyText(req);
  if (!text) return undefined;
  if (!/json/i.test(req.headers['content-type'] ?? '')) return text;
  try {
    return JSON.parse(text);
  } catch {
    throw Object.assign(new Error('Request body is not valid JSON'), { status: 400 });
  }
}
