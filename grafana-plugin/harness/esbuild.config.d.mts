export function harnessBuildOptions(root: string, opts?: { minify?: boolean }): Record<string, unknown>;
export function startHarnessServer(
  root: string,
  opts?: { minify?: boolean; port?: number; watch?: boolean },
): Promise<{ url: string; stop: () => Promise<void> }>;
