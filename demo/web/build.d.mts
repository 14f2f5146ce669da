export const SITE_DIST: string;
export function buildSite(options?: { outDir?: string; quiet?: boolean }): Promise<string>;
