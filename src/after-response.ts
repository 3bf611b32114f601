/**
 * @module after-response
 * Starts background work (edge-cache puts) only after the response has been
 * handed back, not while the request is still being computed.
 *
 * `waitUntil` alone keeps work alive past the response, but the work still
 * starts where it is called: a put of the 5 MB source began right after the
 * probe and streamed into the cache while the same isolate decoded and encoded
 * (and in `wrangler dev`, where the Cache API is a local service on the same
 * cores, it competed for CPU). A zero timer fires only once the event loop
 * runs again, which it does after the handler has returned its Response.
 */
export function afterResponse(waitUntil: (p: Promise<unknown>) => void, work: () => Promise<unknown>): void {
  waitUntil(new Promise((resolve) => setTimeout(resolve, 0)).then(work).catch(() => {}));
}
