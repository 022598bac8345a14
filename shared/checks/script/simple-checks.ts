// Script checks that are one failure pattern each (CHECKS.md § script), with the fix a person can paste.
import { AML_NOTEBOOKS_1659, TB_DATA_SERVER, TB_PROGRAM } from '../sources';
import { failureCheck } from './failure-check';

export const notInstalledCheck = failureCheck({
  id: 'script.not-installed',
  severity: 'high',
  title: 'TensorBoard is installed where the launcher runs',
  status: 'fail',
  meaning: 'TensorBoard is not installed in the environment that starts it',
  remediation: () => 'Install it in the environment the launcher uses (python -m pip install tensorboard), or put that environment\'s bin directory on PATH before the tbmon launcher (tensorboard-launch.sh) runs',
  plain: (name) => `TensorBoard is not installed where ${name} starts it`,
  exampleLine: '/usr/local/bin/tensorboard-launch.sh: line 12: tensorboard: command not found',
});

export const launchCrashCheck = failureCheck({
  id: 'script.launch-crash',
  severity: 'high',
  title: 'TensorBoard starts without crashing',
  status: 'fail',
  meaning: 'TensorBoard crashed at start',
  sources: [TB_PROGRAM, AML_NOTEBOOKS_1659],
  remediation: (host, message) => /Could not start data server/i.test(message)
    ? `The fast loader's data server did not start (--load_fast=true exits then): start with --load_fast=false, or NO_PROXY=localhost,127.0.0.1 when a proxy variable catches localhost: tensorboard --logdir <logdir> --port ${host.port} --bind_all --load_fast=false`
    : /ContextualVersionConflict/i.test(message)
    ? 'A package version conflicts with TensorBoard\'s requirements: python -m pip check, then pin the named package (python -m pip install "<package>==<version the message requires>")'
    : `Run it in a terminal on ${host.name} to see the whole traceback: tensorboard --logdir <logdir> --port ${host.port} --bind_all`,
  plain: (name) => `TensorBoard crashed at start on ${name}`,
  exampleLine: 'Failed to launch TensorBoard (exited with 1)',
});

export const portInUseCheck = failureCheck({
  id: 'script.port-in-use',
  severity: 'high',
  title: 'The TensorBoard port is free',
  status: 'fail',
  meaning: 'Another process holds the TensorBoard port',
  remediation: (host) => `Find and stop the process on port ${host.port} of ${host.name} (sudo ss -ltnp 'sport = :${host.port}'), often an older TensorBoard: pkill -f 'tensorboard.*--port ${host.port}'`,
  plain: (name) => `TensorBoard on ${name} cannot start: another process holds its port`,
  exampleLine: 'TensorBoard could not bind to port 6006, it was already in use',
});

export const badFlagsCheck = failureCheck({
  id: 'script.bad-flags',
  severity: 'high',
  title: 'TensorBoard flags are valid',
  status: 'fail',
  meaning: 'TensorBoard refused its flags',
  sources: [TB_PROGRAM],
  remediation: (host) => `Start it as: tensorboard --logdir <logdir> --port ${host.port} --bind_all (a --logdir is required; --host and --bind_all exclude each other; ports below 1024 need root; an IPv6 --host needs IPv6 on the host; without --port it tries 100 ports from 6006 and gives up when all are taken, so pass --port and free it; --load_fast=true needs the tensorboard-data-server package, so keep the default --load_fast=auto)`,
  plain: (name) => `TensorBoard on ${name} refused the options it was started with`,
  exampleLine: 'Error: A logdir or db must be specified. For example `tensorboard --logdir mylogdir`. Run `tensorboard --helpfull` for details and examples.',
});

export const logdirCheck = failureCheck({
  id: 'script.logdir',
  severity: 'low',
  title: 'The logdir exists and is readable',
  status: 'warn',
  meaning: 'TensorBoard answers but has nothing to show (logdir missing, unreadable or empty)',
  remediation: (host) => `Check the logdir on ${host.name}: ls -ld <logdir> && find <logdir> -name 'events.out.tfevents.*' | head; it must be readable by the user running TensorBoard`,
  plain: (name) => `TensorBoard on ${name} answers but has nothing to show (its log folder is missing, unreadable or empty)`,
  exampleLine: 'No dashboards are active for the current data set.',
});

export const slowStartCheck = failureCheck({
  id: 'script.slow-start',
  severity: 'medium',
  title: 'TensorBoard starts in time',
  status: 'warn',
  meaning: 'TensorBoard was slow to start',
  sources: [TB_PROGRAM, TB_DATA_SERVER],
  remediation: () => 'Large logdirs load slowly: point --logdir at fewer runs, keep --load_fast=auto (the default since 2.5), or lower --samples_per_plugin; then retry after a minute',
  plain: (name) => `TensorBoard on ${name} was too slow to start`,
  exampleLine: 'ERROR: Timed out waiting for TensorBoard to start. It may still be running as pid 4242.',
});
