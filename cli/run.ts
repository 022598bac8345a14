// Entry point for running the CLI from its TypeScript source (`npm run tbmon`, `npm run demo`).
import { run } from './main';

void run();
