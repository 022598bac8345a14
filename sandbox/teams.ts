// A Teams Workflows webhook: answers 202 to everything it receives, as Workflows does, and records each card with
// whether Teams would have shown it (an Adaptive Card envelope within the 28,000-byte limit).
import { errorReply, jsonBody, type Reply, type SandboxRequest } from './http';

export const TEAMS_MAX_BYTES = 28_000;

export interface PostedCard {
  channel: string;
  bytes: number;
  /** The JSON posted (the message envelope), or the raw text when it was not JSON. */
  card: unknown;
  accepted: boolean;
  reason?: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function envelopeProblem(body: unknown): string | undefined {
  if (!isObject(body)) return 'the body is not a JSON object';
  if (body.type !== 'message') return 'type is not "message"';
  const first = Array.isArray(body.attachments) ? body.attachments[0] : undefined;
  if (!isObject(first)) return 'attachments[0] is missing';
  if (first.contentType !== 'application/vnd.microsoft.card.adaptive') return 'attachments[0].contentType is not application/vnd.microsoft.card.adaptive';
  if (!isObject(first.content) || first.content.type !== 'AdaptiveCard') return 'attachments[0].content.type is not "AdaptiveCard"';
  return undefined;
}

export function teamsReply(req: SandboxRequest, outbox: PostedCard[], channels: string[] | undefined): Reply {
  const channel = req.path.slice('/teams/'.length); // already percent-decoded by the server
  if (req.method !== 'POST' || channel === '' || channel.includes('/')) return errorReply(404, 'NotFound', `No webhook at ${req.method} ${req.path}.`);
  if (channels && !channels.includes(channel)) return errorReply(404, 'NotFound', `No webhook for channel "${channel}".`);
  const bytes = req.body.length;
  const parsed = jsonBody(req);
  const problem = bytes > TEAMS_MAX_BYTES ? `${bytes} bytes is over the ${TEAMS_MAX_BYTES}-byte limit` : envelopeProblem(parsed);
  outbox.push({
    channel, bytes, card: parsed ?? req.body.toString('utf8'), accepted: problem === undefined,
    ...(problem ? { reason: problem } : {}),
  });
  return { status: 202 };
}
