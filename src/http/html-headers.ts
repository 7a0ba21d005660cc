/**
 * The headers of every HTML page Tollgate serves (the panel, the root page, GraphiQL, Swagger
 * UI): each loads only its own origin's files and runs no inline script, so an injected string
 * cannot become code; no page may be framed (clickjacking of "Rotate" or of GraphiQL's "Run"),
 * and no URL leaks to another site in a Referer.
 * @see https://www.w3.org/TR/CSP3/ (frame-ancestors replaces X-Frame-Options)
 */
const csp = (styleSrc: string, extra: readonly string[] = []): string =>
  [
    "default-src 'self'",
    "script-src 'self'",
    `style-src ${styleSrc}`,
    "img-src 'self'" + (extra.includes('data-images') ? ' data:' : ''),
    "font-src 'self'" + (extra.includes('data-images') ? ' data:' : ''),
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');

/** The panel and the root page: nothing inline at all. */
export const PANEL_CSP = csp("'self'");

/**
 * GraphiQL and Swagger UI: their editors add `<style>` elements at run time and draw icons from
 * `data:` URLs. Scripts stay this origin's files alone.
 */
export const TOOL_CSP = csp("'self' 'unsafe-inline'", ['data-images']);

const FRAMING = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
} as const;

export const PANEL_HEADERS = { 'content-security-policy': PANEL_CSP, ...FRAMING } as const;
export const TOOL_PAGE_HEADERS = { 'content-security-policy': TOOL_CSP, ...FRAMING } as const;
