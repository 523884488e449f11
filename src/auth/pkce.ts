import { createHash, randomBytes } from 'node:crypto';

/** An unguessable value for the OAuth `state` parameter (CSRF protection). */
export const newState = (): string => randomBytes(24).toString('base64url');

/** PKCE S256 pair: a 43-character verifier and its base64url SHA-256 challenge. */
export function newPkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}
