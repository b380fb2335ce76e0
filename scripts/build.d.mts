/** The process entries (paths from the project root), each built to dist/<same path>.js. */
export declare const ENTRIES: readonly string[];
/** The file in the build that holds the time the build started. */
export declare const STAMP: string;
/** Builds every entry into `outdir` (default: dist/ of the project root); resolves with it. */
export declare function build(outdir?: string): Promise<string>;
