export interface StaticServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** The folder to serve (a folder's index.html answers for it). */
  root: string;
  /** Send the cross-origin isolation headers (default true). */
  isolated?: boolean;
  /** The port; 0 (the default) picks a free one. */
  port?: number;
  /** Extra headers for HTML pages, by path prefix (e.g. a Content-Security-Policy). */
  pageHeaders?: Record<string, Record<string, string>>;
}

export function serve(options: ServeOptions): Promise<StaticServer>;
