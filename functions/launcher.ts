// launcher — HTTP GET /api/launcher (authLevel anonymous, read-only): the exact TensorBoard launcher script
// (scripts/tensorboard-launch.sh) that tbmon's fixes tell owners to run, as text/x-shellscript. Anonymous because it
// is the same public script for everyone and holds nothing of the tenant; GET and HEAD only.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { launcherScript } from '../shared/launcher';
import { register } from './registration';

export async function launcher(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const script = launcherScript();
    return {
      status: 200,
      body: script,
      headers: {
        'content-type': 'text/x-shellscript; charset=utf-8',
        'content-disposition': 'inline; filename="tensorboard-launch.sh"',
        'cache-control': 'public, max-age=300',
        'x-content-type-options': 'nosniff',
      },
    };
  } catch (e) {
    context.error(`launcher: ${(e as Error).message}`);
    return { status: 500, jsonBody: { error: { code: 'LauncherMissing', message: 'the launcher script is not in this deployment' } } };
  }
}

export const registration = register({
  name: 'launcher',
  trigger: { type: 'http', methods: ['GET', 'HEAD'], authLevel: 'anonymous', route: 'launcher' },
  handler: launcher,
});
