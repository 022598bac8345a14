// The job checks, in catalogue order (CHECKS.md § job).
import type { CheckDefinition } from '../types';
import { jobTensorboardServiceCheck } from './tensorboard-service';

export const jobChecks: CheckDefinition[] = [jobTensorboardServiceCheck];
