import path from 'node:path';
import { fileURLToPath } from 'node:url';

// src/*.ts and dist/*.js sit at the same depth in the package, so one level up is the package's root in both.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const VIEWS_DIR = path.join(ROOT, 'views');
export const ASSETS_DIR = path.join(ROOT, 'public');
