// Timer triggers: the NCRONTAB schedule (6 fields, UTC) fires the handler; runTimer() fires it on demand. Like the
// host, a timer whose previous run is still going does not start a second one.
import type { Timer } from '@azure/functions';
import { CronExpressionParser } from 'cron-parser';
import type { TimerRegistration } from '../functions/registration';
import { errorText, invocationContext, resolveSetting, withTimeout, type DevLog } from './invocation';

/** The first fire time strictly after `after`, for a 6-field NCRONTAB expression in UTC. */
export function nextFire(schedule: string, after: Date): Date {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 6) throw new Error(`"${schedule}" is not an NCRONTAB expression with 6 fields (second minute hour day month weekday)`);
  return CronExpressionParser.parse(schedule, { tz: 'UTC', currentDate: after }).next().toDate();
}

// setTimeout holds at most ~24.8 days; longer waits are chained.
const MAX_DELAY = 2_147_000_000;

export class TimerDriver {
  private readonly schedule: string;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private last: Date | undefined;
  private stopped = false;

  constructor(
    readonly reg: TimerRegistration,
    env: Record<string, string | undefined>,
    private readonly log: DevLog,
    private readonly timeoutMs: number,
  ) {
    this.schedule = resolveSetting(reg.trigger.schedule, env);
    nextFire(this.schedule, new Date()); // a bad schedule fails at start, naming the function
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  start(): void {
    if (this.reg.trigger.runOnStartup) void this.fire(false).catch(() => undefined);
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Runs the handler now; resolves when it finishes, rejects with its error. */
  run(): Promise<void> {
    return this.fire(false);
  }

  private arm(): void {
    if (this.stopped) return;
    const due = nextFire(this.schedule, new Date());
    const wait = (): void => {
      const left = due.getTime() - Date.now();
      if (left > MAX_DELAY) {
        this.timer = setTimeout(wait, MAX_DELAY);
        return;
      }
      this.timer = setTimeout(() => {
        void this.fire(Date.now() - due.getTime() > 60_000).catch(() => undefined);
        this.arm();
      }, Math.max(0, left));
    };
    wait();
  }

  private fire(isPastDue: boolean): Promise<void> {
    const name = this.reg.name;
    if (this.running) {
      this.log(`[${name}] previous run still in progress; this occurrence is skipped`);
      return this.running;
    }
    const now = new Date();
    const timerInput: Timer = {
      isPastDue,
      schedule: { adjustForDST: false },
      scheduleStatus: {
        last: (this.last ?? now).toISOString(),
        next: nextFire(this.schedule, now).toISOString(),
        lastUpdated: now.toISOString(),
      },
    };
    this.last = now;
    const context = invocationContext(name, this.log, { options: { trigger: { type: 'timerTrigger', name: 'timer', schedule: this.schedule }, extraInputs: [], extraOutputs: [] } });
    const t0 = Date.now();
    this.running = (async () => {
      try {
        await withTimeout(() => this.reg.handler(timerInput, context), this.timeoutMs, name);
        this.log(`[${name}] succeeded in ${Date.now() - t0} ms (id ${context.invocationId})`);
      } catch (e) {
        this.log(`[${name}] failed in ${Date.now() - t0} ms (id ${context.invocationId}): ${errorText(e)}`);
        throw e;
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }
}
