export const SITE_ROOT: string;
export const SITE_DIST: string;
export const PAGES: string[];
export function buildSite(options?: { outDir?: string; quiet?: boolean }): Promise<string>;
