// `npm run demo` / `tbmon demo` — filled in below.
export interface DemoOptions {
  outDir?: string;
  log: (line: string) => void;
  print: (text: string) => void;
  colour: boolean;
}

export async function runDemo(_opts: DemoOptions): Promise<number> {
  throw new Error('demo not built yet');
}
