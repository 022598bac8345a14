// Finds the function registrations the way the host finds functions: every module in functions/ that exports a
// `registration` (one, or an array).
import fs from 'node:fs';
import path from 'node:path';
import { isFunctionRegistration, type FunctionRegistration } from '../functions/registration';

export function loadRegistrations(dir = path.join(__dirname, '..', 'functions')): FunctionRegistration[] {
  const files = fs.readdirSync(dir)
    .filter((f) => /\.(ts|js)$/.test(f) && !/\.(d|test)\.ts$/.test(f) && !/^registration\.(ts|js)$/.test(f))
    .sort();
  const regs: FunctionRegistration[] = [];
  for (const f of files) {
    const mod = require(path.join(dir, f)) as { registration?: unknown };
    const found = Array.isArray(mod.registration) ? mod.registration : mod.registration === undefined ? [] : [mod.registration];
    for (const r of found) {
      if (!isFunctionRegistration(r)) throw new Error(`${path.join(path.basename(dir), f)} exports a "registration" that is not one (need name, trigger and handler)`);
      regs.push(r);
    }
  }
  return regs;
}
