/** The README's "Use it in your own test suite": what it tells a project to set up is what the example needs. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { docSection, REPO_ROOT } from './helpers/docs.js';

const readme = readFileSync(path.join(REPO_ROOT, 'packages/gateway-sandbox/README.md'), 'utf8');
const section = docSection('packages/gateway-sandbox/README.md', 'Use it in your own test suite');
const example = JSON.parse(readFileSync(path.join(REPO_ROOT, 'examples/outside-project/package.json'), 'utf8')) as {
  type?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};

describe('the README’s recipe for a project of its own', () => {
  it('when its npm install lines are run, then every package the example project depends on is installed', () => {
    const installed = section
      .split('\n')
      .filter((line) => line.startsWith('npm install '))
      .flatMap((line) => line.replace(/#.*/, '').trim().split(/\s+/).slice(2))
      .filter((word) => !word.startsWith('-'));
    const needed = Object.keys({ ...example.dependencies, ...example.devDependencies });
    expect(installed.sort()).toEqual(needed.sort());
  });

  it('when its package.json settings are followed, then the ESM suite loads (the package is a module)', () => {
    expect(example.type).toBe('module');
    expect(section).toContain('`"type": "module"`');
  });

  it('when the package is looked for, then the README says it is not on the public registry and how to pack it', () => {
    expect(readme).toMatch(/not published on the public npm registry/);
    expect(readme).toContain('npm pack -w packages/gateway-sandbox');
  });
});
