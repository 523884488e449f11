import { timingSafeEqual } from 'node:crypto';
import { ExitCode, SynderError } from '../errors.js';
import { providerName } from './pages.js';

/** What a redirect back from a provider's consent page means for the sign-in. */
export type CallbackVerdict =
  | { kind: 'ok' }
  /** Not a redirect from the provider at all (no code, no error): keep waiting. */
  | { kind: 'ignore' }
  | { kind: 'fail'; error: SynderError; title: string };

const sameState = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Checks a callback's parameters against the state we sent. A wrong state is treated as an
 * attack or a stale tab and ends the attempt; a denial ends it as cancelled.
 */
export function judgeCallback(params: URLSearchParams, expectedState: string, provider?: string): CallbackVerdict {
  const code = params.get('code');
  const error = params.get('error');
  const state = params.get('state');
  const hasCode = code !== null && code !== '' && code !== 'null';
  if (!hasCode && !error) return { kind: 'ignore' };
  const who = provider ? providerName(provider) : 'the provider';
  if (state === null ? hasCode : !sameState(state.trim(), expectedState)) {
    return {
      kind: 'fail',
      title: 'Sign-in link does not match',
      error: new SynderError(`The sign-in response from ${who} carried ${state === null ? 'no' : 'a different'} state than this sign-in sent, so it was rejected.`, {
        code: 'state_mismatch',
        hint: 'Start the sign-in again and use only the newest link; an older browser tab or a link from another attempt will not work.',
      }),
    };
  }
  if (error) {
    const description = params.get('error_description');
    const denied = /denied|cancel/i.test(error);
    return {
      kind: 'fail',
      title: denied ? 'Sign-in cancelled' : 'Sign-in failed',
      error: new SynderError(
        denied
          ? `Access was not granted: the sign-in to ${who} was declined (${error}).`
          : `${who} reported an error instead of an authorization: ${error}${description ? ` — ${description}` : ''}.`,
        {
          exitCode: denied ? ExitCode.usage : ExitCode.error,
          code: denied ? 'auth_denied' : 'auth_error',
          hint: denied ? 'Run the command again and choose Allow/Approve on the consent page.' : 'Check the app credentials and redirect URI registered with the provider, then try again.',
        },
      ),
    };
  }
  return { kind: 'ok' };
}
