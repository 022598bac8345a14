// How the app, the CLI and the demo get their Azure clients from settings: one place that picks the credential.
// In Azure: the user-assigned managed identity (AZURE_CLIENT_ID) or DefaultAzureCredential (az login on a laptop).
// Against the sandbox: a fixed test token and the sandbox's CA — and only when every endpoint is on loopback, so a
// sandbox credential can never be sent to a real Azure endpoint.
import { readFileSync } from 'node:fs';
import type { TokenCredential } from '@azure/core-auth';
import type { PipelineRetryOptions } from '@azure/core-rest-pipeline';
import { AzureContext, StaticTokenCredential } from './azure';
import type { Settings } from './config';

export interface SandboxEndpoint {
  /** https://127.0.0.1:PORT */
  baseUrl: string;
  /** PEM of the sandbox's certificate. */
  caCert: string;
}

const LOOPBACK = /^https:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/i;

export function isLoopbackUrl(url: string): boolean {
  return LOOPBACK.test(url);
}

/** Settings with every Azure endpoint pointed at a sandbox. */
export function sandboxSettings(settings: Settings, sandbox: SandboxEndpoint): Settings {
  const base = sandbox.baseUrl.replace(/\/+$/, '');
  return { ...settings, armEndpoint: base, logAnalyticsEndpoint: `${base}/v1` };
}

/** Retries against a sandbox on loopback: as many as the SDK's default, without Azure's seconds of back-off between them. */
export const SANDBOX_RETRY: PipelineRetryOptions = { maxRetries: 3, retryDelayInMs: 50, maxRetryDelayInMs: 200 };

export interface AzureFromSettingsOptions {
  sandbox?: SandboxEndpoint;
  retry?: PipelineRetryOptions;
  /** AZURE_CLIENT_ID (platform setting): the user-assigned managed identity in Azure. */
  clientId?: string;
}

export function credentialFor(settings: Settings, opts: AzureFromSettingsOptions): TokenCredential {
  if (opts.sandbox) return new StaticTokenCredential();
  const authorityHost = settings.authorityHost ?? undefined;
  // @azure/identity loads with the first credential made, not with this file (cold start: shared/app.ts).
  const { DefaultAzureCredential, ManagedIdentityCredential } = require('@azure/identity') as typeof import('@azure/identity');
  if (opts.clientId) return new ManagedIdentityCredential({ clientId: opts.clientId });
  return new DefaultAzureCredential({ authorityHost });
}

export function azureFromSettings(settings: Settings, opts: AzureFromSettingsOptions = {}): AzureContext {
  const effective = opts.sandbox ? sandboxSettings(settings, opts.sandbox) : settings;
  if (opts.sandbox && !(isLoopbackUrl(effective.armEndpoint) && isLoopbackUrl(effective.logAnalyticsEndpoint))) {
    throw new Error('a sandbox credential is only used with loopback endpoints');
  }
  return new AzureContext({
    credential: credentialFor(effective, opts),
    armEndpoint: effective.armEndpoint,
    logAnalyticsEndpoint: effective.logAnalyticsEndpoint,
    caCert: opts.sandbox?.caCert,
    retry: opts.retry ?? (opts.sandbox ? SANDBOX_RETRY : undefined),
  });
}

/** `--sandbox-url URL --sandbox-ca FILE`: a sandbox that is already running. */
export function sandboxEndpointFromFiles(baseUrl: string, caFile: string): SandboxEndpoint {
  if (!isLoopbackUrl(baseUrl)) throw new Error(`${baseUrl} is not a loopback https URL`);
  // The sandbox listens on 127.0.0.1 and writes its nextLinks there; the ARM helpers follow links on their own
  // endpoint's origin only, so `localhost` is spelled the way the sandbox spells itself.
  const u = new URL(baseUrl);
  if (u.hostname === 'localhost') u.hostname = '127.0.0.1';
  return { baseUrl: u.origin, caCert: readFileSync(caFile, 'utf8') };
}
