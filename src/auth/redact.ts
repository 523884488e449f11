/**
 * Error texts from HTTP libraries can echo URLs and bodies; TikTok's token endpoint even takes
 * app_secret in the query. Anything built from such a text goes through this first.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1[redacted]')
    .replace(/((?:access_token|refresh_token|app_secret|client_secret|code_verifier|code|auth_code|password|sign)=)[^&\s"']+/gi, '$1[redacted]')
    .replace(/("(?:access_token|refresh_token|app_secret|client_secret|code_verifier|password)"\s*:\s*")[^"]*"/gi, '$1[redacted]"')
    .replace(/(\/\/[^/\s:@]+:)[^@\s/]+@/g, '$1[redacted]@');
}

export const errorMessage = (err: unknown): string => redactSecrets(err instanceof Error ? err.message : String(err));
