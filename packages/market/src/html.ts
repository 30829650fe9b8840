const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/** The shared page frame: head, styles, header with navigation. */
export function layout(title: string, body: string, extraHead = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLES}</style>
${extraHead}
</head>
<body>
<header class="top">
  <a class="brand" href="/">${CART_ICON} Market</a>
  <nav><a href="/">Shop</a><a href="/status">Status</a><a href="/metrics">Metrics</a></nav>
</header>
<main>
${body}
</main>
</body>
</html>
`;
}

const CART_ICON = '<svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" style="vertical-align:-4px"><path d="M3 4h2l2.4 11h10.8L21 8H6.2"/><circle cx="9" cy="19.5" r="1.5"/><circle cx="17" cy="19.5" r="1.5"/></svg>';

const STYLES = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#111827;background:#f3f4f6}
.top{display:flex;align-items:center;justify-content:space-between;padding:14px 28px;background:#111827;color:#f9fafb}
.top a{color:#f9fafb;text-decoration:none}
.brand{font-weight:700;font-size:1.3rem;letter-spacing:.02em}
.top nav a{margin-left:20px;opacity:.85}
.top nav a:hover{opacity:1;text-decoration:underline}
main{max-width:1080px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:1.6rem;margin:4px 0 4px}
.sub{color:#4b5563;margin:0 0 20px}
.notice{background:#ecfdf5;border:1px solid #a7f3d0;color:#065f46;padding:10px 14px;border-radius:8px;margin-bottom:18px}
.warn{background:#fffbeb;border:1px solid #fde68a;color:#92400e;padding:10px 14px;border-radius:8px;margin-bottom:18px}
.layout{display:grid;grid-template-columns:1fr 280px;gap:24px;align-items:start}
.things{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:18px}
.thing{background:#fff;border-radius:12px;padding:18px;box-shadow:0 1px 3px rgba(0,0,0,.08);display:flex;flex-direction:column;gap:8px}
.thing .icon{display:flex;justify-content:center;background:#f9fafb;border-radius:10px;padding:10px}
.thing h2{font-size:1.2rem;margin:4px 0 0}
.thing p{margin:0;color:#4b5563;font-size:.93rem;min-height:2.6em}
.price{font-size:1.15rem;font-weight:700}
.rating{font-size:.95rem;min-height:1.4em}
.stars{color:#f59e0b;letter-spacing:2px;font-size:1.1rem}
.stars .off{color:#d1d5db}
.muted{color:#6b7280;font-size:.85rem}
.stale{color:#b45309;font-size:.85rem}
button{font:inherit;border:0;border-radius:8px;padding:9px 14px;cursor:pointer}
.add{background:#2563eb;color:#fff;width:100%}
.add:hover{background:#1d4ed8}
.cart{background:#fff;border-radius:12px;padding:18px;box-shadow:0 1px 3px rgba(0,0,0,.08);position:sticky;top:16px}
.cart h2{margin:0 0 10px;font-size:1.2rem}
.cart ul{list-style:none;padding:0;margin:0 0 12px}
.cart li{display:flex;justify-content:space-between;padding:4px 0;border-bottom:1px solid #f3f4f6}
.cart .total{display:flex;justify-content:space-between;font-weight:700;margin:8px 0 12px}
.checkout{background:#059669;color:#fff;width:100%}
.checkout:hover{background:#047857}
.checkout:disabled{background:#9ca3af;cursor:default}
table{width:100%;border-collapse:collapse;background:#fff;border-radius:12px;overflow:hidden;box-shadow:0 1px 3px rgba(0,0,0,.08)}
th,td{padding:9px 12px;text-align:left;border-bottom:1px solid #f3f4f6;font-size:.93rem}
th{background:#f9fafb;font-weight:600}
.pill{display:inline-block;padding:2px 9px;border-radius:999px;font-size:.8rem;font-weight:600}
.ok{background:#dcfce7;color:#166534}.bad{background:#fee2e2;color:#991b1b}.mid{background:#fef3c7;color:#92400e}.none{background:#e5e7eb;color:#374151}
@media (max-width:760px){.layout{grid-template-columns:1fr}.things{grid-template-columns:1fr}}
`;
