// The 204 workaround: Log Analytics answers 204 for a workspace that holds no data at all, and the SDK
// (@azure/monitor-query-logs 1.0.0) then fails on the empty body with a TypeError. This policy turns the 204 into a
// RestError that says so, before deserialization; run.ts sorts it as "the workspace holds no data".
import { RestError, type PipelinePolicy } from '@azure/core-rest-pipeline';
import type { LogsQueryClient } from '@azure/monitor-query-logs';

const NO_CONTENT_POLICY = 'tbmonLogAnalyticsNoContent';

const noContentPolicy: PipelinePolicy = {
  name: NO_CONTENT_POLICY,
  async sendRequest(request, next) {
    const response = await next(request);
    if (response.status === 204) {
      throw new RestError('the workspace holds no data (204 No Content)', { statusCode: 204, request, response, code: 'NoContent' });
    }
    return response;
  },
};

/** The client with the 204 policy added (once, however often it is asked). */
export function withNoContentPolicy(client: LogsQueryClient): LogsQueryClient {
  if (!client.pipeline.getOrderedPolicies().some((p) => p.name === NO_CONTENT_POLICY)) client.pipeline.addPolicy(noContentPolicy);
  return client;
}
