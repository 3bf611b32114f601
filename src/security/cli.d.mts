/** @module security/cli — types for `cli.mjs`. */
export declare const USAGE: string;
export declare function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  nowSeconds: number,
): Promise<{ code: number; stdout: string; stderr: string }>;
