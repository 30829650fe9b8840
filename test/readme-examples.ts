// The code blocks the READMEs mark with `<!-- example: NAME -->` on the line before them, so tests can
// compile and run exactly what a reader copies.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../test-support/process.js';

/** The ```ts block right after `<!-- example: name -->` in `readme` (a path from the repository root). */
export function readmeExample(readme: string, name: string): string {
  const text = readFileSync(path.join(REPO, readme), 'utf8');
  const marker = `<!-- example: ${name} -->`;
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`${readme} has no ${marker}`);
  const block = /^```ts\n([\s\S]*?)^```$/m.exec(text.slice(at + marker.length));
  if (block === null || text.slice(at + marker.length, at + marker.length + block.index).trim() !== '') {
    throw new Error(`${marker} in ${readme} is not followed by a \`\`\`ts block`);
  }
  return block[1]!;
}

/** The plain ``` block (its printed output) right after the example's ```ts block. */
export function readmeExampleOutput(readme: string, name: string): string {
  const text = readFileSync(path.join(REPO, readme), 'utf8');
  const code = readmeExample(readme, name);
  const after = text.slice(text.indexOf(code) + code.length + '```\n'.length);
  const block = /^\s*```\n([\s\S]*?)^```$/m.exec(after);
  if (block !== null && block.index !== 0) throw new Error(`the example ${name} in ${readme} is not followed by its output`);
  if (block === null) throw new Error(`the example ${name} in ${readme} is not followed by its output in a \`\`\` block`);
  return block[1]!;
}
