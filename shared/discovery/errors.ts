// Typed discovery errors. Each is a usage problem — the scope or the host asked for does not exist — so the CLI maps
// every DiscoveryUsageError to exit 2 and prints its message (no stack trace); the HTTP check maps it to 4xx.
import type { Host } from '../model';

export abstract class DiscoveryUsageError extends Error {
  /** Stable machine-readable code (for JSON output and HTTP bodies). */
  abstract readonly code: string;
  /** The exit code the CLI uses (DESIGN.md § Running it: 2 = usage or configuration error). */
  readonly exitCode = 2;
}

/** TBMON_SCOPE / --scope names a management group that does not exist or that the identity cannot read. */
export class UnknownManagementGroupError extends DiscoveryUsageError {
  readonly code = 'UnknownManagementGroup';
  constructor(readonly managementGroupId: string, detail?: string) {
    super(`management group "${managementGroupId}" was not found or is not readable by this identity${detail ? ` (${detail})` : ''}; check TBMON_SCOPE / --scope`);
    this.name = 'UnknownManagementGroupError';
  }
}

/** No TensorBoard host matches the id, name or URL asked for. */
export class HostNotFoundError extends DiscoveryUsageError {
  readonly code = 'HostNotFound';
  constructor(readonly query: string, reason?: string) {
    super(`no TensorBoard host matches ${query}${reason ? `: ${reason}` : ''}`);
    this.name = 'HostNotFoundError';
  }
}

/** A name (or URL) matches several TensorBoard hosts: the caller must pick one by id. */
export class AmbiguousHostError extends DiscoveryUsageError {
  readonly code = 'AmbiguousHost';
  constructor(readonly query: string, readonly candidates: Host[]) {
    super(`${query} matches ${candidates.length} TensorBoard hosts; ask for one by id:\n${candidates.map((c) => `  ${c.id}`).join('\n')}`);
    this.name = 'AmbiguousHostError';
  }
}

/** The host query itself is malformed (an id that is not an ARM id, a URL that is not a TensorBoard URL). */
export class InvalidHostQueryError extends DiscoveryUsageError {
  readonly code = 'InvalidHostQuery';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidHostQueryError';
  }
}
