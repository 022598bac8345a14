// Owned by the log-evidence room (issue 6): per-host Log Analytics evidence, one Gathered<> per evidence family.
export interface LogEvidence {
  [key: string]: unknown;
}
