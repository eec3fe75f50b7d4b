// Every architecture decision record opens the same way (docs/decisions/README.md): a Date and a Status line, and is
// listed in the index with that date and status.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/decisions');
const records = readdirSync(DIR).filter((name) => /^\d{4}-.+\.md$/.test(name));
const index = readFileSync(path.join(DIR, 'README.md'), 'utf8');

describe('docs/decisions', () => {
  it('has its records', () => {
    expect(records.length).toBeGreaterThanOrEqual(13);
  });

  it.each(records)('%s opens with its title, then "Date: YYYY-MM-DD. Status: …." and is in the index', (name) => {
    const lines = readFileSync(path.join(DIR, name), 'utf8').split('\n');
    expect(lines[0]).toMatch(new RegExp(`^# ${name.slice(0, 4)} — \\S`));
    const header = /^Date: (\d{4}-\d{2}-\d{2})\. Status: (accepted|superseded|deprecated|proposed)\.$/.exec(lines[2]!);
    expect(header).not.toBeNull();
    const [, date, status] = header!;
    expect(index).toContain(`| [${name.slice(0, 4)}](${name}) |`);
    expect(index).toMatch(new RegExp(`\\(${name.replace('.', '\\.')}\\) \\|[^\\n]*\\| ${date} \\| ${status} \\|`));
  });
});
