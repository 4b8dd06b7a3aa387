// Handlers as Function Compute runs them: the loader lives with the tools
// (tools/bundle-loader.ts) so drills and benchmarks share it; tests re-export it.
export { ensureBundles, loadBundledFactory, loadBundledHandler, loadBundledModule, unzip, withEnv, type FcHandler } from "../../../tools/bundle-loader";
