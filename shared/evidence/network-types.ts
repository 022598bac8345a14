// Owned by the network room (issue 5): what network checks read about a host's path.
export interface NetworkEvidence {
  [key: string]: unknown;
}
