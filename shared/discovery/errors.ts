// Typed errors of a request tbmon cannot answer as asked. Each carries what its adapters need, so neither the HTTP
// check nor the CLI keeps its own instanceof chain: `status` (the HTTP answer), `code` (stable, machine-readable, in
// JSON and HTTP bodies), `exitCode` (the CLI's, DESIGN.md § Running it: 2 usage or configuration error, 3 the run
// could not finish), `publicMessage` (what an HTTP caller is told when the message is for the app's log) and `body()`
// (extra fields of the HTTP error body).
import type { Host } from '../model';

export abstract class RequestError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  abstract readonly exitCode: number;
  constructor(message: string) {
    super(message);
    // The class's own name (HostNotFoundError, …) in stacks and logs, without each subclass setting it.
    this.name = new.target.name;
  }
  /** What the HTTP answer says; the message itself when it is the caller's to read. */
  get publicMessage(): string {
    return this.message;
  }
  /** Extra fields of the HTTP error body. */
  body(): Record<string, unknown> {
    return {};
  }
}

/** A request error of discovery: the scope or the host asked for does not exist (CLI exit 2, HTTP 4xx). */
export abstract class DiscoveryUsageError extends RequestError {
  readonly exitCode: number = 2;
  readonly status: number = 400;
}

/** TBMON_SCOPE / --scope names a management group that does not exist or that the identity cannot read. */
export class UnknownManagementGroupError extends DiscoveryUsageError {
  readonly code = 'UnknownManagementGroup';
  // On HTTP, TBMON_SCOPE is the app's setting, not the caller's input: the app is misconfigured.
  override readonly status = 500;
  constructor(readonly managementGroupId: string, detail?: string) {
    super(`management group "${managementGroupId}" was not found or is not readable by this identity${detail ? ` (${detail})` : ''}; check TBMON_SCOPE / --scope`);
  }
  override get publicMessage(): string {
    return `tbmon is misconfigured: TBMON_SCOPE names management group "${this.managementGroupId}", which does not exist or is not readable`;
  }
}

/** No TensorBoard host matches the id, name or URL asked for. */
export class HostNotFoundError extends DiscoveryUsageError {
  readonly code = 'HostNotFound';
  override readonly status = 404;
  constructor(readonly query: string, reason?: string) {
    super(`no TensorBoard host matches ${query}${reason ? `: ${reason}` : ''}`);
  }
}

/** A name (or URL) matches several TensorBoard hosts: the caller must pick one by id. */
export class AmbiguousHostError extends DiscoveryUsageError {
  readonly code = 'AmbiguousHost';
  override readonly status = 409;
  constructor(readonly query: string, readonly candidates: Host[]) {
    super(`${query} matches ${candidates.length} TensorBoard hosts; ask for one by id:\n${candidates.map((c) => `  ${c.id}`).join('\n')}`);
  }
  override body(): Record<string, unknown> {
    return { candidates: this.candidates.map((c) => ({ id: c.id, name: c.name, kind: c.kind, workspace: c.workspace })) };
  }
}

/** The host query itself is malformed (an id that is not an ARM id, a URL that is not a TensorBoard URL). */
export class InvalidHostQueryError extends DiscoveryUsageError {
  readonly code = 'InvalidHostQuery';
}

/** The query is well formed but names a kind of host tbmon does not check (yet). */
export class UnsupportedHostQueryError extends DiscoveryUsageError {
  readonly code = 'UnsupportedHost';
  override readonly status = 422;
}
