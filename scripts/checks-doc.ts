// npm run docs:checks — writes docs/checks.md from the check registry.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderCatalogue } from '../shared/checks/catalogue';

const file = path.join(__dirname, '..', 'docs', 'checks.md');
writeFileSync(file, renderCatalogue());
process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
