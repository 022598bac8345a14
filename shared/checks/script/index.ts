// The script checks, in catalogue order (CHECKS.md § script).
import type { CheckDefinition } from '../types';
import { localhostOnlyCheck } from './localhost-only';
import { notRunningCheck } from './not-running';
import { portMismatchCheck } from './port-mismatch';
import { badFlagsCheck, launchCrashCheck, logdirCheck, notInstalledCheck, portInUseCheck, slowStartCheck } from './simple-checks';

export const scriptChecks: CheckDefinition[] = [
  notRunningCheck,
  notInstalledCheck,
  launchCrashCheck,
  portInUseCheck,
  localhostOnlyCheck,
  portMismatchCheck,
  badFlagsCheck,
  logdirCheck,
  slowStartCheck,
];
