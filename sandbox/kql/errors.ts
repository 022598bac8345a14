// The engine's one error type: what the sandbox's routes turn into an Azure-shaped error answer.
export class KqlError extends Error {
  constructor(message: string, readonly code = 'BadArgumentError', readonly status = 400) {
    super(message);
    this.name = 'KqlError';
  }
}

/** A query uses an operator or function the sandbox does not evaluate: 400 naming it, never an empty result. */
export function unsupported(what: string): KqlError {
  return new KqlError(`The sandbox's KQL engine does not support ${what}`, 'BadArgumentError', 400);
}
