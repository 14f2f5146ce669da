export const SITE_DIST: string;
export function buildSite(options?: { outDir?: string; quiet?: boolean }): Promise<string>;
export const SITE_INPUTS: string[];
export const SITE_OUTPUT: string;
