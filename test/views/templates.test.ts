import { describe, it, expect } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { VIEWS } from '../helpers/render-view.js';

const templates = [
  ...readdirSync(path.join(VIEWS, 'shop')).map((f) => path.join('shop', f)),
  ...readdirSync(path.join(VIEWS, 'partials')).map((f) => path.join('partials', f)),
  'error.ejs',
].filter((f) => f.endsWith('.ejs'));

describe('shop templates', () => {
  it.each(templates)('when %s is read, then it holds no UI text of its own (all text comes from the catalogs)', (file) => {
    const src = readFileSync(path.join(VIEWS, file), 'utf8');
    const literal = src.replace(/<%[\s\S]*?%>/g, ' ').replace(/<[^>]*>/g, ' ');
    expect(literal).not.toMatch(/\p{L}/u);
  });

  it.each(templates)('when %s outputs raw HTML, then only for includes (everything else is escaped)', (file) => {
    const src = readFileSync(path.join(VIEWS, file), 'utf8');
    for (const m of src.matchAll(/<%-(.*?)%>/gs)) expect(m[1]).toMatch(/^\s*include\(/);
  });
});
