/** Tests, fixtures and mocks: rules about production behaviour stay quiet there. */
const TEST_PATH = /(^|\/)(__tests__|__mocks__|tests?|spec|specs|e2e|fixtures?|mocks?|testing|cypress|playwright)(\/|$)|\.(test|spec|e2e|stories|story|bench)\.[cm]?[jt]sx?$/i;
/** One-off scripts, CLIs, build tooling (dot-folders: .github, .hygen, .husky …), seeds and migrations: not long-running server code. */
const SCRIPT_PATH = /(^|\/)(scripts?|bin|tools?|tooling|cli|seeds?|seeders?|migrations?|examples?|benchmarks?|bench|docs?|config|[\w-]+-scripts|\.[\w-]+)(\/|$)|(^|\/)[^/]*\.config\.[cm]?[jt]s$|(^|\/)(gulpfile|gruntfile|webpack|rollup|vite|jest|babel|eslint|prettier|karma)[^/]*\.[cm]?[jt]s$/i;
/** Front-end code reviewed by other tools; backend rules about servers do not apply. */
const FRONTEND_PATH = /(^|\/)(public|static|client|frontend|web|www|browser|components|pages\/_app|app\/components)(\/|$)|\.(tsx|jsx|vue|svelte)$/i;

export function isTestPath(path: string): boolean {
  return TEST_PATH.test(path);
}

export function isScriptPath(path: string): boolean {
  return SCRIPT_PATH.test(path);
}

export function isFrontendPath(path: string): boolean {
  return FRONTEND_PATH.test(path);
}

export const ANALYZABLE_EXTENSIONS = [".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts"];

export function isAnalyzablePath(path: string): boolean {
  if (/\.d\.[cm]?ts$/.test(path)) return false;
  return ANALYZABLE_EXTENSIONS.some((ext) => path.endsWith(ext));
}
