/**
 * Provider-independent sign-in machinery: browser/loopback/paste-back sign-in, the token vault,
 * single-flight token refresh and owner invitations. Provider adapters implement OAuthAdapter.
 */
export type { AuthorizationRequest, OAuthAdapter, TokenSet, TokenVault } from './types.js';
export { vaultKeys } from './types.js';
export { signInWithBrowser, browserUnavailable, redirectEnvVar, type SignInOptions, type SignInResult, type SignInStreams } from './browser-sign-in.js';
export { startLoopbackListener, isLoopbackRedirect, type LoopbackListener, type LoopbackOptions } from './loopback.js';
export { parsePastedRedirect, readPastedRedirect, PasteEndedError, type PasteBackOptions } from './paste-back.js';
export { judgeCallback, type CallbackVerdict } from './callback.js';
export { newState, newPkcePair } from './pkce.js';
export { openVault, KEYRING_MARKER, type OpenVaultOptions } from './vault.js';
export { FileVault, CREDENTIALS_FILE } from './vault-file.js';
export { KeyringVault, probeKeyring, type KeyringBackend } from './vault-keyring.js';
export { getFreshTokens, withFreshToken, lockFileFor, type FreshTokenOptions, type TokenAccess } from './refresh.js';
export { redactSecrets } from './redact.js';
export { createInvite, acceptInvite, listInvites, cancelInvite, type CreateInviteOptions, type CreatedInvite, type AcceptInviteOptions, type AcceptedInvite, type Invite } from './invites.js';
export { composeInviteMessage, mailtoLink, type InviteMessage } from './invite-message.js';
