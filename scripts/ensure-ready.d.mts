export interface Plan {
  /** The environment is an image's (CORTEX_FUNCTION set, or NODE_ENV=production): nothing may be installed or built. */
  image: boolean;
  /** node_modules is missing or older than package-lock.json. */
  install: boolean;
  /** There is no build, or one of its inputs is newer than it. */
  build: boolean;
  /** Why, in words, for each of install and build that is due. */
  reasons: string[];
}
/** What to do before a command runs in the project at `root`, given the environment. */
export declare function plan(root: string, env: Record<string, string | undefined>): Plan;
/** Builds when the build is missing or older than a source; never installs. */
export declare function ensureBuilt(): Promise<void>;
