// The network checks, in catalogue order (CHECKS.md § network).
import type { CheckDefinition } from '../types';
import { amlInboundCheck } from './aml-inbound';
import { amlOutboundCheck } from './aml-outbound';
import { flowDeniedCheck } from './flow-denied';
import { loadBalancerCheck } from './load-balancer';
import { privateEndpointCheck } from './private-endpoint';
import { publishedPortRangeCheck } from './published-port-range';
import { routeTableCheck } from './route-table';
import { tensorboardPortCheck } from './tensorboard-port';

export const networkChecks: CheckDefinition[] = [
  tensorboardPortCheck,
  amlInboundCheck,
  amlOutboundCheck,
  routeTableCheck,
  privateEndpointCheck,
  loadBalancerCheck,
  publishedPortRangeCheck,
  flowDeniedCheck,
];
