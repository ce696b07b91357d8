// Vitest global setup: the process-level tests (SIGKILL, serve's access checks) start the real
// `serve` bundle, so build main + preload once (esbuild, about a second) before they run.
export default async function setup(): Promise<void> {
  // @ts-expect-error: a plain .mjs build script without type declarations
  const { buildMain } = (await import('../../scripts/build.mjs')) as { buildMain: () => Promise<void> };
  await buildMain();
}
