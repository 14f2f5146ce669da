// The browser tests serve their pages with the demo site's static server (127.0.0.1; with or
// without the cross-origin isolation headers), so what the tests load is served as `npm start` does.
export { serve, type ServeOptions, type StaticServer } from "../demo/web/server.mjs";
