import path from 'node:path';
import { fileURLToPath } from 'node:url';

// src/sandbox/*.ts and dist/sandbox/*.js sit at the same depth, so two levels up is the project root in both.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const VIEWS_DIR = path.join(ROOT, 'views');
export const ASSETS_DIR = path.join(ROOT, 'public', 'sandbox');
