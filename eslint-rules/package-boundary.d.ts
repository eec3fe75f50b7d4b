// Types for the rule module (plain JavaScript, because eslint.config.js loads it without a build).
import type { Linter, Rule } from 'eslint';

export declare const packageBoundary: Rule.RuleModule;
export declare function packageBoundaryConfig(root: string): Linter.Config;
