import type { FailureType } from './failures';

/**
 * A workflow input once resolved: the request with its defaults, or the failure type and message it is
 * refused with (an answer rather than an exception: resolve-request.ts says why). Its own file because
 * every input's resolver returns one, and resolve-request.ts imports those inputs' schemas.
 */
export type Resolution<T> =
  { ok: true; request: T } | { ok: false; failureType: FailureType; message: string };
