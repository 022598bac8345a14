// The script checks, in catalogue order (CHECKS.md § script).
import type { CheckDefinition } from '../types';
import { dataServerCheck } from './data-server';
import { localhostOnlyCheck } from './localhost-only';
import { notRelaunchedCheck } from './not-relaunched';
import { notRunningCheck } from './not-running';
import { pathPrefixCheck } from './path-prefix';
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
  notRelaunchedCheck,
  pathPrefixCheck,
  dataServerCheck,
];
