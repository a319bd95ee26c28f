// The transport's public face: the only code that talks HTTP to Gmail.
export * from './client';
export * from './errors';
export { parseRetryAfter, retryAfterInText, retryAtOf, nextPacificMidnight, backoffDelay, type BackoffOptions } from './retry';
export { METHOD_UNITS, METHOD_SCOPES, SEND_METHODS, unitsFor, Pacer, pacerFor, type PacerOptions } from './quota';
export { fetchServiceAccountToken, signServiceAccountJwt, readServiceAccountKey, GOOGLE_TOKEN_URL, type ServiceAccountKey } from './serviceAccount';
